import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { keys } from '../api/keys';
import { sessionPath } from '../ui/session-path';

/** Renew this long before the preview token expires. */
const RENEW_EARLY_MS = 60_000;

/** A preview token (`{token, url, expires_at}`), renewed before it expires. */
export function usePreviewToken(sessionId: string) {
  return useQuery({
    queryKey: [...keys.session(sessionId), 'preview-token'],
    queryFn: () =>
      unwrap(
        api.POST('/api/sessions/{id}/sandbox/preview-token', {
          params: { path: sessionPath(sessionId) },
        }),
      ),
    staleTime: Infinity,
    refetchInterval: (query) => {
      const expires = query.state.data ? Date.parse(query.state.data.expires_at) : NaN;
      return Number.isNaN(expires) ? false : Math.max(5_000, expires - Date.now() - RENEW_EARLY_MS);
    },
    refetchIntervalInBackground: true,
  });
}

/** The sandbox listing (the same query the Files panel uses): is there an index.html to show? */
export function useSandboxFiles(sessionId: string) {
  return useQuery({
    queryKey: keys.files(sessionId),
    queryFn: () =>
      unwrap(
        api.GET('/api/sessions/{id}/sandbox/files', { params: { path: sessionPath(sessionId) } }),
      ),
  });
}

/**
 * The page's runtime errors (last 50, newest first): asked again shortly after each load of the
 * frame (see PreviewPanel) and every 5 s while the tab is visible — for errors the page throws
 * later, on a click — which keeps a user's requests well under the per-user rate limit.
 */
export function usePreviewErrors(sessionId: string) {
  return useQuery({
    queryKey: keys.previewErrors(sessionId),
    queryFn: () =>
      unwrap(
        api.GET('/api/sessions/{id}/sandbox/preview-errors', {
          params: { path: sessionPath(sessionId) },
        }),
      ),
    refetchInterval: 5_000,
    refetchIntervalInBackground: false,
  });
}

/** The sandbox's current version number (newest first, one item); asked only when needed. */
export function useCurrentVersion(sessionId: string, enabled: boolean) {
  return useQuery({
    queryKey: [...keys.versions(sessionId), 'current'],
    queryFn: () =>
      unwrap(
        api.GET('/api/sessions/{id}/versions', {
          params: { path: sessionPath(sessionId), query: { limit: 1 } },
        }),
      ),
    select: (versions) => versions[0]?.version ?? null,
    enabled,
  });
}
