import type { ChangeRow, FileChangeInput } from './history-types.js';

export interface ChangePlan {
  changes: ChangeRow[];
  /** Contents the new version references (the store keeps each hash once per session). */
  blobs: { hash: string; content: Buffer }[];
}

/**
 * Classifies a batch against the files' newest changes: added, modified or deleted; a file whose
 * content does not change, or a deletion of a file that is not there, is no change at all.
 */
export function planChanges(
  version: number,
  inputs: FileChangeInput[],
  latest: ChangeRow[],
  hash: (content: Buffer) => string,
): ChangePlan {
  const now = new Map(latest.filter((c) => c.change !== 'deleted').map((c) => [c.path, c]));
  const changes: ChangeRow[] = [];
  const blobs = new Map<string, Buffer>();
  // The last input of a path wins, as it would on disk.
  const last = new Map(inputs.map((c) => [c.path, c.content]));
  for (const [path, content] of last) {
    const before = now.get(path);
    const hashBefore = before?.hashAfter ?? null;
    const sizeBefore = before?.sizeAfter ?? null;
    if (content === null) {
      if (before) {
        changes.push({
          version,
          path,
          change: 'deleted',
          hashBefore,
          sizeBefore,
          hashAfter: null,
          sizeAfter: null,
        });
      }
      continue;
    }
    const hashAfter = hash(content);
    if (hashAfter === hashBefore) {
      continue;
    }
    blobs.set(hashAfter, content);
    changes.push({
      version,
      path,
      change: before ? 'modified' : 'added',
      hashBefore,
      sizeBefore,
      hashAfter,
      sizeAfter: content.length,
    });
  }
  changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { changes, blobs: [...blobs].map(([h, content]) => ({ hash: h, content })) };
}
