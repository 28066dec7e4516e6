import { Injectable } from '@nestjs/common';
import { badRequest, conflict, notFound } from '../common/errors/app-error.js';
import {
  decodeCursor,
  Page,
  pageLimit,
  pageOf,
  type PageQueryDto,
} from '../common/http/pagination.js';
import { MessagesService } from '../messages/messages.service.js';
import type { FileContentView, FileListing } from '../sandbox/dto/sandbox-views.js';
import { parseSandboxPath } from '../sandbox/sandbox-path.js';
import { SandboxService, type SandboxScope } from '../sandbox/sandbox.service.js';
import type { FileAtVersion } from './history/history-types.js';
import { HistoryService } from './history/history.service.js';
import { unifiedDiff } from './text-diff.js';
import {
  toVersionView,
  type DiffChangeView,
  type DiffView,
  type RestoredView,
  type VersionDetailView,
  type VersionView,
} from './versions.views.js';

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

/** Reading a session's history and going back in it. Callers pass a session the actor owns. */
@Injectable()
export class VersionsService {
  constructor(
    private readonly history: HistoryService,
    private readonly sandbox: SandboxService,
    private readonly messages: MessagesService,
  ) {}

  async list(sessionId: string, query: PageQueryDto): Promise<Page<VersionView>> {
    const limit = pageLimit(query);
    const before = decodeCursor(query.before, parseVersionCursor);
    const { versions, changes } = await this.history.page(sessionId, before, limit + 1);
    const page = pageOf(versions, limit, (last) => [last.version]);
    return new Page(
      page.items.map((v) =>
        toVersionView(
          v,
          changes.filter((c) => c.version === v.version),
        ),
      ),
      page.next,
    );
  }

  /** One version with each change's diff against the version before it. */
  async get(sessionId: string, version: number): Promise<VersionDetailView> {
    const row = await this.history.version(sessionId, version);
    const changes = await this.history.changesOf(sessionId, version);
    const hashes = changes.flatMap((c) => [c.hashBefore, c.hashAfter]).filter((h) => h !== null);
    const contents = await this.history.contents(sessionId, hashes);
    const at = (h: string | null) => (h === null ? null : contents.get(h)!);
    const view = toVersionView(row, changes);
    return {
      ...view,
      changes: changes.map((c, i) => ({
        ...view.changes[i],
        size_before: c.sizeBefore,
        diff: unifiedDiff(c.path, at(c.hashBefore), at(c.hashAfter)),
      })),
    };
  }

  async files(sessionId: string, version: number): Promise<FileListing> {
    await this.history.version(sessionId, version);
    const files = await this.history.filesAt(sessionId, version);
    return {
      files: files.map((f) => ({ name: f.path, size: f.size })),
      total_size: files.reduce((n, f) => n + f.size, 0),
    };
  }

  async file(sessionId: string, version: number, rawPath: unknown): Promise<FileContentView> {
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
  async diff(sessionId: string, from: number, to: number): Promise<DiffView> {
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
    const changes = changed.map((path): DiffChangeView => {
      const b = before.get(path);
      const a = after.get(path);
      return {
        filename: path,
        change: !b ? 'added' : !a ? 'deleted' : 'modified',
        size_before: b?.size ?? null,
        size_after: a?.size ?? null,
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
  async restore(scope: SandboxScope, version: number): Promise<RestoredView> {
    const files = await this.filesOf(scope.sessionId, version);
    const made = await this.sandbox.apply(
      { ...scope, origin: { source: 'restore', restoredFrom: version } },
      {
        files,
        replace: true,
        precheck: async (tx) => {
          if (await this.messages.isRunning(tx, scope.sessionId)) {
            throw conflict(
              'An agent turn is running in this session; wait for it to finish or cancel it, then restore',
            );
          }
        },
      },
    );
    return { version: made, restored_from: version };
  }

  /** The files of a version with their contents (for restore, fork and export). */
  async filesOf(sessionId: string, version: number): Promise<Map<string, Buffer>> {
    await this.history.version(sessionId, version);
    const files = await this.history.filesAt(sessionId, version);
    const contents = await this.history.contents(
      sessionId,
      files.map((f) => f.hash),
    );
    return new Map(files.map((f) => [f.path, contents.get(f.hash)!]));
  }

  head(sessionId: string): Promise<number> {
    return this.history.head(sessionId);
  }
}

const byPath = (files: FileAtVersion[]) => new Map(files.map((f) => [f.path, f]));
