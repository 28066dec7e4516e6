import { useCallback, useEffect, useState } from 'react';
import { ancestorsOf } from './tree';

/**
 * What was open per session, so switching tabs and back (or reloading the page) finds the same file
 * and folders. Kept in sessionStorage: this tab only.
 */
const OPEN_KEY = 'aeio.files-open';
export interface OpenFiles {
  selected: string | null;
  expanded: string[];
}

export const rememberedOpen = {
  all(): Record<string, OpenFiles> {
    try {
      return JSON.parse(sessionStorage.getItem(OPEN_KEY) ?? '{}') as Record<string, OpenFiles>;
    } catch {
      return {};
    }
  },
  get(sessionId: string): OpenFiles | undefined {
    return this.all()[sessionId];
  },
  set(sessionId: string, open: OpenFiles): void {
    try {
      sessionStorage.setItem(OPEN_KEY, JSON.stringify({ ...this.all(), [sessionId]: open }));
    } catch {
      // storage full or refused: only this visit remembers
    }
  },
};

/** The selected file and the expanded folders of a session's tree, remembered for the tab. */
export function useOpenFiles(sessionId: string) {
  const [selected, setSelected] = useState<string | null>(
    () => rememberedOpen.get(sessionId)?.selected ?? null,
  );
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(
    () => new Set(rememberedOpen.get(sessionId)?.expanded ?? []),
  );

  useEffect(() => {
    rememberedOpen.set(sessionId, { selected, expanded: [...expanded] });
  }, [sessionId, selected, expanded]);

  /** Selects a file and expands the folders that hold it. */
  const select = useCallback((path: string) => {
    setSelected(path);
    setExpanded((prev) => new Set([...prev, ...ancestorsOf(path)]));
  }, []);

  const toggle = useCallback((path: string, open: boolean) => {
    setExpanded((prev) => {
      const next = new Set(prev);
      if (open) {
        next.add(path);
      } else {
        next.delete(path);
      }
      return next;
    });
  }, []);

  const clear = useCallback(() => setSelected(null), []);

  return { selected, expanded, select, toggle, clear };
}
