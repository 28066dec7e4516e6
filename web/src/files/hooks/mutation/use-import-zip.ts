import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sandboxChanged } from '../../../api/keys';
import { importZip } from '../../file-api';

/** Replaces the sandbox with a zip's files, as a new version. */
export function useImportZip(sessionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (zip: File) => importZip(sessionId, zip),
    onSuccess: () => sandboxChanged(client, sessionId),
  });
}
