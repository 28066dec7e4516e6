import { useMutation, useQueryClient } from '@tanstack/react-query';
import { keys, sandboxChanged } from '../../../api/keys';
import { draftStore } from '../../drafts';
import { writeFile, type LoadedFile } from '../../file-api';

/**
 * Saves a file's draft: with the draft's base ETag as `If-Match` (412 when the file changed
 * meanwhile), or over whatever is there with `force`. On success the cache holds the saved text and
 * the draft goes, or, if typing went on while saving, becomes a draft over the saved version.
 */
export function useSaveFile(sessionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async ({ name, force }: { name: string; force: boolean }) => {
      const draft = draftStore.get(sessionId, name);
      if (!draft) {
        throw new Error(`Nothing to save in ${name}.`);
      }
      const saved = await writeFile(sessionId, name, draft.content, force ? null : draft.baseEtag);
      return { name, content: draft.content, saved };
    },
    onSuccess: ({ name, content, saved }) => {
      client.setQueryData<LoadedFile>(keys.file(sessionId, name), {
        filename: name,
        content,
        size: saved.size,
        etag: saved.etag,
        binary: false,
      });
      const now = draftStore.get(sessionId, name);
      if (now && now.content !== content) {
        draftStore.set(sessionId, name, { content: now.content, baseEtag: saved.etag });
      } else {
        draftStore.discard(sessionId, name);
      }
      sandboxChanged(client, sessionId);
    },
  });
}
