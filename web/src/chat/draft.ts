import { authStore } from '../auth/auth-store';

/**
 * The composer's unsent text, per user and session, in localStorage: it survives a reload and an
 * expired sign-in (the console unmounts, the user signs in again, the composer mounts and restores it).
 */
function key(sessionId: string): string {
  const state = authStore.get();
  const user = state.status === 'signed-in' ? state.user.id : 'anon';
  return `aeio.draft.${user}.${sessionId}`;
}

export const drafts = {
  load(sessionId: string): string {
    try {
      return localStorage.getItem(key(sessionId)) ?? '';
    } catch {
      return '';
    }
  },
  save(sessionId: string, text: string): void {
    try {
      if (text) {
        localStorage.setItem(key(sessionId), text);
      } else {
        localStorage.removeItem(key(sessionId));
      }
    } catch {
      // storage full or denied: the text stays in the textarea
    }
  },
  clear(sessionId: string): void {
    drafts.save(sessionId, '');
  },
};
