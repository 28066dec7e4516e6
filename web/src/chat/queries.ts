import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { keys } from '../api/keys';
import type { Message } from '../api/round3';
import { page, type Page } from '../ui/paging';

const PAGE_SIZE = 50;

/** The conversation in pages, newest page first (each oldest first), under `keys.messages`. */
export function useMessagePages(sessionId: string, poll: boolean) {
  return useInfiniteQuery({
    queryKey: [...keys.messages(sessionId), 'pages'],
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }): Promise<Page<Message>> =>
      page(
        api.GET('/api/sessions/{id}/messages', {
          params: {
            path: { id: sessionId },
            query: { limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) },
          },
        }),
      ),
    getNextPageParam: (last) => last.next,
    // A turn started in another tab shows up (and is then followed live).
    refetchInterval: poll ? 15_000 : false,
    refetchIntervalInBackground: false,
  });
}

/** The steps of the latest assistant message (the API keeps them for that one), as query options. */
export const latestStepsQuery = (sessionId: string) => ({
  queryKey: [...keys.messages(sessionId), 'latest-steps'],
  queryFn: () =>
    unwrap(
      api.GET('/api/sessions/{id}/messages/latest/execution-steps', {
        params: { path: { id: sessionId } },
      }),
    ),
});

/** The steps of the latest assistant message, once there is one (`enabled`). */
export function useLatestSteps(sessionId: string, enabled: boolean) {
  return useQuery({ ...latestStepsQuery(sessionId), enabled });
}

/**
 * The session's versions, for the files each older turn changed. Kept under `keys.messages` (not
 * `keys.versions`): older turns do not change while one runs, so it refreshes when a turn ends.
 */
export function useTurnVersions(sessionId: string, enabled: boolean) {
  return useQuery({
    queryKey: [...keys.messages(sessionId), 'turn-versions'],
    queryFn: () =>
      unwrap(
        api.GET('/api/sessions/{id}/versions', {
          params: { path: { id: sessionId }, query: { limit: 500 } },
        }),
      ),
    enabled,
    select: (versions) => {
      const byMessage = new Map<number, Schemas['VersionView'][]>();
      for (const v of versions) {
        if (v.message_id !== null) {
          byMessage.set(v.message_id, [...(byMessage.get(v.message_id) ?? []), v]);
        }
      }
      return byMessage;
    },
  });
}

/** The session itself (title, model), under `keys.session`. */
export function useSession(sessionId: string) {
  return useQuery({
    queryKey: keys.session(sessionId),
    queryFn: () => unwrap(api.GET('/api/sessions/{id}', { params: { path: { id: sessionId } } })),
  });
}

/** Changes the session's model (`null`: the default); the sidebar's list refreshes. */
export function useSetSessionModel(sessionId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (model: string | null) =>
      unwrap(
        api.PATCH('/api/sessions/{id}', { params: { path: { id: sessionId } }, body: { model } }),
      ),
    onSuccess: (s) => {
      client.setQueryData(keys.session(sessionId), s);
      void client.invalidateQueries({ queryKey: keys.sessions });
    },
  });
}
