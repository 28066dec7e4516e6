import type { QueryClient } from '@tanstack/react-query';

/** One place for query keys, so a panel can refresh what another panel shows. */
export const keys = {
  me: ['me'] as const,
  models: ['models'] as const,
  sessions: ['sessions'] as const,
  session: (id: string) => ['session', id] as const,
  messages: (id: string) => ['session', id, 'messages'] as const,
  files: (id: string) => ['session', id, 'files'] as const,
  file: (id: string, name: string) => ['session', id, 'files', name] as const,
  versions: (id: string) => ['session', id, 'versions'] as const,
  previewErrors: (id: string) => ['session', id, 'preview-errors'] as const,
  adminUsers: ['admin', 'users'] as const,
  adminUsage: ['admin', 'usage'] as const,
};

/**
 * The sandbox of a session changed (a step completed, a turn ended, a file was saved or restored):
 * everything that shows its files, versions or preview refreshes.
 */
export function sandboxChanged(client: QueryClient, sessionId: string): void {
  void client.invalidateQueries({ queryKey: keys.files(sessionId) });
  void client.invalidateQueries({ queryKey: keys.versions(sessionId) });
  void client.invalidateQueries({ queryKey: keys.previewErrors(sessionId) });
  window.dispatchEvent(new CustomEvent('aeio:sandbox-changed', { detail: { sessionId } }));
}

/** Subscribes to `sandboxChanged` for one session (the preview reloads its frame on it). */
export function onSandboxChanged(sessionId: string, handler: () => void): () => void {
  const listener = (e: Event) => {
    if ((e as CustomEvent<{ sessionId: string }>).detail.sessionId === sessionId) {
      handler();
    }
  };
  window.addEventListener('aeio:sandbox-changed', listener);
  return () => window.removeEventListener('aeio:sandbox-changed', listener);
}
