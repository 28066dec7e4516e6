import { useQuery } from '@tanstack/react-query';
import type { Schemas } from '../../../api/client';
import { keys } from '../../../api/keys';
import { requestJson } from '../../file-api';

/** The sandbox's files (`GET …/sandbox/files`), under `keys.files`. */
export function useFileListing(sessionId: string) {
  return useQuery({
    queryKey: keys.files(sessionId),
    queryFn: async () =>
      (await requestJson<Schemas['FileListing']>(`/api/sessions/${sessionId}/sandbox/files`)).data,
  });
}
