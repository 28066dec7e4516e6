export const VERSION_SOURCES = ['api', 'agent', 'restore', 'import', 'fork'] as const;
export type VersionSource = (typeof VERSION_SOURCES)[number];
export type ChangeKind = 'added' | 'modified' | 'deleted';

/** Who made a change: the files API by default; agent tool calls name their turn and step. */
export interface VersionOrigin {
  source: VersionSource;
  messageId?: number | null;
  stepId?: number | null;
  restoredFrom?: number | null;
}

/** One file as a change leaves it: its new content, or null when it is deleted. */
export interface FileChangeInput {
  path: string;
  content: Buffer | null;
}

export interface VersionRow {
  version: number;
  source: VersionSource;
  messageId: number | null;
  stepId: number | null;
  restoredFrom: number | null;
  createdAt: Date;
}

export interface ChangeRow {
  version: number;
  path: string;
  change: ChangeKind;
  hashBefore: string | null;
  sizeBefore: number | null;
  hashAfter: string | null;
  sizeAfter: number | null;
}

/** A file as it is at some version: where its content is and how big it is. */
export interface FileAtVersion {
  path: string;
  hash: string;
  size: number;
}

export interface HistoryHead {
  head: number;
  prunedThrough: number;
  blobBytes: number;
}
