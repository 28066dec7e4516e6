import { useEffect } from 'react';
import { useQuery } from '@tanstack/react-query';
import { keys } from '../../../api/keys';
import { readRaw, type LoadedFile } from '../../file-api';

/**
 * An object URL of a file's bytes (an image preview), fetched with the Authorization header; the URL
 * is revoked when it is replaced or the component goes.
 */
export function useRawFile(sessionId: string, file: LoadedFile, enabled: boolean) {
  const raw = useQuery({
    queryKey: [...keys.file(sessionId, file.filename), 'raw', file.etag],
    queryFn: async () => URL.createObjectURL(await readRaw(sessionId, file.filename)),
    enabled,
    gcTime: 0,
  });
  useEffect(() => {
    const url = raw.data;
    return () => {
      if (url) {
        URL.revokeObjectURL(url);
      }
    };
  }, [raw.data]);
  return raw;
}
