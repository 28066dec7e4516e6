import { Injectable } from '@nestjs/common';
import { badRequest, conflict, notFound } from '../common/errors/app-error.js';
import {
  decodeCursor,
  Page,
  pageLimit,
  pageOf,
  type PageQueryDto,
} from '../common/http/pagination.js';
import type { FileListing } from '../sandbox/sandbox.views.js';
import { parseSandboxPath } from '../sandbox/sandbox-path.js';
import { SandboxService, type SandboxScope, type TextFile } from '../sandbox/sandbox.service.js';
import type { OwnedSession } from '../sessions/owned-session.js';
import type { ChangeKind, ChangeRow, FileAtVersion, VersionRow } from '../history/history-types.js';
import { HistoryService } from '../history/history.service.js';
import { TurnStateService } from '../turns/turn-state.service.js';
import { unifiedDiff } from './text-diff.js';

/** A version with what it did to each file. */
export interface VersionWithChanges {
  version: VersionRow;
  changes: ChangeRow[];
}

/** A version with each change's unified diff against the version before it. */
export interface VersionDetail {
  version: VersionRow;
  changes: (ChangeRow & { diff: string | null })[];
}

/** What changed in one file between two versions. */
export interface FileDiff {
  path: string;
  change: ChangeKind;
  sizeBefore: number | null;
  sizeAfter: number | null;
  diff: string | null;
}

export interface VersionDiff {
  from: number;
  to: number;
  changes: FileDiff[];
}

export interface Restored {
  version: number;
  restoredFrom: number;
}

const MAX_INT4 = 2_147_483_647;

/** A versions cursor: [the oldest version of the page before]. */
const parseVersionCursor = ([v, ...rest]: unknown[]): number | undefined =>
  rest.length === 0 && Number.isInteger(v) && (v as number) >= 0 && (v as number) <= MAX_INT4
    ? (v as number)
    : undefined;

/** A `{v}` path parameter: digits only. */
export function parseVersion(raw: string): number {
  if (!/^\d{1,10}$/.test(raw) || Number(raw) > MAX_INT4) {
    throw badRequest('version must be a non-negative integer');
  }
  return Number(raw);
}

/**
 * Reading a session's history and going back in it. Every method takes the `OwnedSession` the
 * ownership check produced; restore takes the `SandboxScope` of the acting user.
 */
@Injectable()
export class VersionsService {
  constructor(
    private readonly history: HistoryService,
    private readonly sandbox: SandboxService,
    private readonly turns: TurnStateService,
  ) {}

  async list(session: OwnedSession, query: PageQueryDto): Promise<Page<VersionWithChanges>> {
    const limit = pageLimit(query);
    const before = decodeCursor(query.before, parseVersionCursor);
    const { versions, changes } = await this.history.page(session.id, before, limit + 1);
    const page = pageOf(versions, limit, (last) => [last.version]);
    return new Page(
      page.items.map((v) => ({
        version: v,
        changes: changes.filter((c) => c.version === v.version),
      })),
      page.next,
    );
  }

  /** One version with each change's diff against the version before it. */
  async get(session: OwnedSession, version: number): Promise<VersionDetail> {
    const sessionId = session.id;
    const row = await this.history.version(sessionId, version);
    const changes = await this.history.changesOf(sessionId, version);
    const hashes = changes.flatMap((c) => [c.hashBefore, c.hashAfter]).filter((h) => h !== null);
    const contents = await this.history.contents(sessionId, hashes);
    const at = (h: string | null) => (h === null ? null : contents.get(h)!);
    return {
      version: row,
      changes: changes.map((c) => ({
        ...c,
        diff: unifiedDiff(c.path, at(c.hashBefore), at(c.hashAfter)),
      })),
    };
  }

  async files(session: OwnedSession, version: number): Promise<FileListing> {
    const sessionId = session.id;
    await this.history.version(sessionId, version);
    const files = await this.history.filesAt(sessionId, version);
    return {
      files: files.map((f) => ({ name: f.path, size: f.size })),
      total_size: files.reduce((n, f) => n + f.size, 0),
    };
  }

  async file(session: OwnedSession, version: number, rawPath: unknown): Promise<TextFile> {
    const sessionId = session.id;
    const path = parseSandboxPath(rawPath);
    await this.history.version(sessionId, version);
    const file = (await this.history.filesAt(sessionId, version)).find((f) => f.path === path);
    if (!file) {
      throw notFound(`File not found at version ${version}: ${path}`);
    }
    const content = (await this.history.contents(sessionId, [file.hash])).get(file.hash)!;
    return { filename: path, content: content.toString('utf8'), size: file.size };
  }

  /** What changed from version `from` to version `to` (either order), file by file. */
  async diff(session: OwnedSession, from: number, to: number): Promise<VersionDiff> {
    const sessionId = session.id;
    await this.history.version(sessionId, from);
    await this.history.version(sessionId, to);
    const before = byPath(await this.history.filesAt(sessionId, from));
    const after = byPath(await this.history.filesAt(sessionId, to));
    const paths = [...new Set([...before.keys(), ...after.keys()])].sort();
    const changed = paths.filter((p) => before.get(p)?.hash !== after.get(p)?.hash);
    const hashes = changed.flatMap((p) => [before.get(p)?.hash, after.get(p)?.hash]);
    const contents = await this.history.contents(
      sessionId,
      hashes.filter((h) => h !== undefined),
    );
    const changes = changed.map((path): FileDiff => {
      const b = before.get(path);
      const a = after.get(path);
      return {
        path,
        change: !b ? 'added' : !a ? 'deleted' : 'modified',
        sizeBefore: b?.size ?? null,
        sizeAfter: a?.size ?? null,
        diff: unifiedDiff(path, b ? contents.get(b.hash)! : null, a ? contents.get(a.hash)! : null),
      };
    });
    return { from, to, changes };
  }

  /**
   * Makes the sandbox equal to version `version` as a new version of its own. Refused while a turn runs
   * (checked under the session's lock, so no turn's writes interleave), and 413 when that state no
   * longer fits today's limits.
   */
  async restore(scope: SandboxScope, version: number): Promise<Restored> {
    const files = await this.filesOf({ id: scope.sessionId, userId: scope.userId }, version);
    const made = await this.sandbox.apply(
      { ...scope, origin: { source: 'restore', restoredFrom: version } },
      {
        files,
        replace: true,
        precheck: async (tx) => {
          if (await this.turns.hasRunning(tx, scope.sessionId)) {
            throw conflict(
              'An agent turn is running in this session; wait for it to finish or cancel it, then restore',
            );
          }
        },
      },
    );
    return { version: made, restoredFrom: version };
  }

  /** The files of a version with their contents (for restore, fork and export). */
  async filesOf(session: OwnedSession, version: number): Promise<Map<string, Buffer>> {
    const sessionId = session.id;
    await this.history.version(sessionId, version);
    const files = await this.history.filesAt(sessionId, version);
    const contents = await this.history.contents(
      sessionId,
      files.map((f) => f.hash),
    );
    return new Map(files.map((f) => [f.path, contents.get(f.hash)!]));
  }

  /** The session's newest version. */
  head(session: OwnedSession): Promise<number> {
    return this.history.head(session.id);
  }
}

const byPath = (files: FileAtVersion[]) => new Map(files.map((f) => [f.path, f]));
