import { useQuery } from '@tanstack/react-query';
import { keys } from '../../../api/keys';
import { readFile } from '../../file-api';

/** One file's text and ETag, while one is selected (`null`: none). */
export function useFile(sessionId: string, filename: string | null) {
  return useQuery({
    queryKey: keys.file(sessionId, filename ?? ''),
    queryFn: () => readFile(sessionId, filename!),
    enabled: filename !== null,
  });
}
