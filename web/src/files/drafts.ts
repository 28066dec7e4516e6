import { useSyncExternalStore } from 'react';
import { authStore } from '../auth/auth-store';

/**
 * Unsaved edits, kept outside the components so they survive switching tabs or files (and, through
 * sessionStorage, a reload of the page). Each draft remembers the ETag of the file it was made from:
 * saving sends it as `If-Match`, so a change someone else made meanwhile is reported, not overwritten.
 */
export interface Draft {
  content: string;
  baseEtag: string | null;
}

const STORAGE_KEY = 'aeio.drafts';
type Drafts = Record<string, Record<string, Draft>>;

function load(): Drafts {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Drafts) : {};
  } catch {
    return {};
  }
}

let drafts: Drafts = load();
const listeners = new Set<() => void>();
const EMPTY: Record<string, Draft> = {};

/** Drafts belong to a user as well as a session: another sign-in in this tab never sees them. */
function keyOf(sessionId: string): string {
  const auth = authStore.get();
  return `${auth.status === 'signed-in' ? auth.user.id : 'anonymous'}:${sessionId}`;
}

function commit(next: Drafts) {
  drafts = next;
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(drafts));
  } catch {
    // too large for sessionStorage: kept in memory for this page only
  }
  listeners.forEach((l) => l());
}

export const draftStore = {
  get(sessionId: string, filename: string): Draft | undefined {
    return drafts[keyOf(sessionId)]?.[filename];
  },
  set(sessionId: string, filename: string, draft: Draft): void {
    const key = keyOf(sessionId);
    commit({ ...drafts, [key]: { ...drafts[key], [filename]: draft } });
  },
  discard(sessionId: string, filename: string): void {
    const key = keyOf(sessionId);
    if (!drafts[key]?.[filename]) {
      return;
    }
    const rest = { ...drafts[key] };
    delete rest[filename];
    commit({ ...drafts, [key]: rest });
  },
};

/** The drafts of one session, re-rendering when one changes. */
export function useDrafts(sessionId: string): Record<string, Draft> {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => drafts[keyOf(sessionId)] ?? EMPTY,
  );
}
