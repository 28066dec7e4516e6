import { useSyncExternalStore } from 'react';

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
    return drafts[sessionId]?.[filename];
  },
  set(sessionId: string, filename: string, draft: Draft): void {
    commit({ ...drafts, [sessionId]: { ...drafts[sessionId], [filename]: draft } });
  },
  discard(sessionId: string, filename: string): void {
    if (!drafts[sessionId]?.[filename]) {
      return;
    }
    const rest = { ...drafts[sessionId] };
    delete rest[filename];
    commit({ ...drafts, [sessionId]: rest });
  },
};

/** The drafts of one session, re-rendering when one changes. */
export function useDrafts(sessionId: string): Record<string, Draft> {
  return useSyncExternalStore(
    (cb) => {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
    () => drafts[sessionId] ?? EMPTY,
  );
}
