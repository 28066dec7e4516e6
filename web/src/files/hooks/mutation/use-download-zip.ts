import { useMutation } from '@tanstack/react-query';
import { downloadZip } from '../../file-api';

/** Downloads the sandbox as a zip. */
export function useDownloadZip(sessionId: string) {
  return useMutation({ mutationFn: () => downloadZip(sessionId) });
}
