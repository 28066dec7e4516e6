import { useMutation, useQueryClient } from '@tanstack/react-query';
import { sandboxChanged } from '../../../api/keys';
import { writeFile } from '../../file-api';

/** Creates an empty file (the service judges the name: 400 with the reason). */
export function useCreateFile(sessionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: async (name: string) => {
      await writeFile(sessionId, name, '', null);
      return name;
    },
    onSuccess: () => sandboxChanged(client, sessionId),
  });
}
