import { useMutation, useQueryClient } from '@tanstack/react-query';
import { keys, sandboxChanged } from '../../../api/keys';
import { draftStore } from '../../drafts';
import { deleteFile, type LoadedFile } from '../../file-api';

/** Deletes a file (with the ETag last read as `If-Match`), its draft and its cached text. */
export function useDeleteFile(sessionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (name: string) =>
      deleteFile(
        sessionId,
        name,
        client.getQueryData<LoadedFile>(keys.file(sessionId, name))?.etag ?? null,
      ),
    onSuccess: (_v, name) => {
      draftStore.discard(sessionId, name);
      client.removeQueries({ queryKey: keys.file(sessionId, name), exact: true });
      sandboxChanged(client, sessionId);
    },
  });
}
