import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../api/client';
import { keys } from '../api/keys';
import type { Model } from '../api/round3';
import { page, type Page } from '../ui/paging';

const PAGE_SIZE = 30;

/** The sidebar's pages of sessions, most recently updated first (under `keys.sessions`). */
export const sessionPagesKey = [...keys.sessions, 'pages'] as const;

export function useSessionPages() {
  return useInfiniteQuery({
    queryKey: sessionPagesKey,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }): Promise<Page<Schemas['SessionView']>> =>
      page(
        api.GET('/api/sessions', {
          params: { query: { limit: PAGE_SIZE, ...(pageParam ? { before: pageParam } : {}) } },
        }),
      ),
    getNextPageParam: (last) => last.next,
  });
}

/** The models a session may use (`GET /api/models`), shared with the provider notice. */
export function useModels() {
  return useQuery({
    queryKey: keys.models,
    queryFn: (): Promise<{ models: Model[]; configured: boolean }> =>
      unwrap(api.GET('/api/models')),
    staleTime: 60_000,
  });
}
