import { Inject, Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import {
  badRequest,
  conflict,
  notFound,
  payloadTooLarge,
  preconditionFailed,
} from '../common/errors/app-error.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { contentHash } from '../history/content-hash.js';
import type { VersionOrigin } from '../history/history-types.js';
import { HistoryService } from '../history/history.service.js';
import { contentTypeFor } from './content-type.js';
import type { FileListing } from './sandbox.views.js';
import { quotaProblem } from './quota.js';
import { SandboxFilesRepository, type StoredFile } from './sandbox-files.repository.js';
import { parseSandboxPath } from './sandbox-path.js';

/** The session a sandbox call acts in, and the user acting; every query checks both. */
export interface SandboxScope {
  userId: number;
  sessionId: string;
  /** Who the version of a change is credited to; the files API when absent. */
  origin?: VersionOrigin;
}

/** `If-Match` of a files API write or delete: the change happens only if the file is still this. */
export interface WriteOptions {
  ifMatch?: string;
}

/** A batch (restore, import, fork): the files to hold; with `replace`, every other file goes. */
export interface SandboxBatch {
  files: Map<string, Buffer>;
  replace: boolean;
  /** Runs under the batch's locks before anything changes (e.g. "no turn is running"). */
  precheck?: (tx: SqlClient) => Promise<void>;
}

const API_ORIGIN: VersionOrigin = { source: 'api' };

/** The strong ETag of a content (its SHA-256, the history's address of it). */
export const etagOf = (content: Buffer): string => `"${contentHash(content)}"`;

export type { FileListing };

export type { StoredFile };

/** A sandbox file read as UTF-8 text. */
export interface TextFile {
  filename: string;
  content: string;
  size: number;
}

@Injectable()
export class SandboxService {
  constructor(
    private readonly db: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly caps: CapsService,
    private readonly files: SandboxFilesRepository,
    private readonly sessions: SessionsRepository,
    private readonly history: HistoryService,
  ) {}

  async list(scope: SandboxScope): Promise<FileListing> {
    const rows = await this.files.list(scope.sessionId, scope.userId);
    let total = 0;
    const files = rows.map((r) => {
      total += r.size;
      return { name: r.path, size: r.size };
    });
    return { files, total_size: total };
  }

  async read(scope: SandboxScope, rawPath: unknown): Promise<StoredFile> {
    const path = parseSandboxPath(rawPath);
    const file = await this.find(scope, path);
    if (!file) {
      throw notFound(`File not found: ${path}`);
    }
    return file;
  }

  async find(scope: SandboxScope, rawPath: unknown): Promise<StoredFile | null> {
    const path = parseSandboxPath(rawPath);
    return this.files.find(scope.sessionId, scope.userId, path);
  }

  async readText(scope: SandboxScope, rawPath: unknown): Promise<TextFile> {
    const filename = parseSandboxPath(rawPath);
    const file = await this.read(scope, filename);
    return { filename, content: file.content.toString('utf8'), size: file.size };
  }

  /** A file as text with its ETag, for the files API (`If-Match` on a later write compares with it). */
  async readTagged(
    scope: SandboxScope,
    rawPath: unknown,
  ): Promise<{ file: TextFile; etag: string }> {
    const filename = parseSandboxPath(rawPath);
    const file = await this.read(scope, filename);
    return {
      file: { filename, content: file.content.toString('utf8'), size: file.size },
      etag: etagOf(file.content),
    };
  }

  /**
   * Creates or replaces a file. The user's row is locked first (their caps span all their sessions), then
   * the session's, so concurrent writes queue up and each sees the totals the previous one left: neither
   * the session quota, the user's storage cap nor the file count can be raced past.
   */
  async write(
    scope: SandboxScope,
    rawPath: unknown,
    content: string,
    opts: WriteOptions = {},
  ): Promise<{ filename: string; size: number; version: number | null; etag: string }> {
    const path = parseSandboxPath(rawPath);
    const bytes = Buffer.from(content, 'utf8');
    const limits = this.config.sandbox;
    if (bytes.length > limits.maxFileBytes) {
      throw payloadTooLarge(
        quotaProblem({ sessionBytes: 0, oldSize: 0, newSize: bytes.length }, limits)!,
      );
    }
    const version = await this.db.transaction(async (tx) => {
      const caps = await this.caps.lock(tx, scope.userId);
      const sessionBytes = await this.lockSession(tx, scope);
      await this.assertMatches(tx, scope.sessionId, path, opts.ifMatch);
      const old = await this.files.sizeOf(tx, scope.sessionId, path);
      if (old === null) {
        await this.assertFileCountFits(tx, scope.sessionId);
      }
      const oldSize = old ?? 0;
      const problem = quotaProblem({ sessionBytes, oldSize, newSize: bytes.length }, limits);
      if (problem) {
        throw payloadTooLarge(problem);
      }
      await this.caps.assertStorageFits(caps, bytes.length - oldSize, () =>
        this.sessions.storageOfUser(scope.userId, tx),
      );
      await this.files.upsert(tx, scope.sessionId, path, bytes, contentTypeFor(path));
      await this.sessions.addSandboxBytes(tx, scope.sessionId, bytes.length - oldSize);
      return this.history.record(
        tx,
        scope.sessionId,
        [{ path, content: bytes }],
        scope.origin ?? API_ORIGIN,
      );
    });
    return { filename: path, size: bytes.length, version, etag: etagOf(bytes) };
  }

  async remove(
    scope: SandboxScope,
    rawPath: unknown,
    opts: WriteOptions = {},
  ): Promise<{ version: number | null }> {
    const path = parseSandboxPath(rawPath);
    const version = await this.db.transaction(async (tx) => {
      await this.lockSession(tx, scope);
      await this.assertMatches(tx, scope.sessionId, path, opts.ifMatch);
      const size = await this.files.delete(tx, scope.sessionId, path);
      if (size === null) {
        throw notFound(`File not found: ${path}`);
      }
      await this.sessions.addSandboxBytes(tx, scope.sessionId, -size);
      return this.history.record(
        tx,
        scope.sessionId,
        [{ path, content: null }],
        scope.origin ?? API_ORIGIN,
      );
    });
    return { version };
  }

  /**
   * Renames or moves a file, as one version (the old path deleted, the new one added). Sizes, the file
   * count and the user's storage do not change, so no quota can be crossed; an existing `to` is refused
   * rather than overwritten.
   */
  async move(
    scope: SandboxScope,
    rawFrom: unknown,
    rawTo: unknown,
  ): Promise<{ from: string; to: string; size: number; version: number | null }> {
    const from = parseSandboxPath(rawFrom);
    const to = parseSandboxPath(rawTo);
    if (from === to) {
      throw badRequest(`${from} is already at that path`);
    }
    let size = 0;
    const version = await this.db.transaction(async (tx) => {
      await this.lockSession(tx, scope);
      if ((await this.files.sizeOf(tx, scope.sessionId, to)) !== null) {
        throw conflict(`${to} already exists; delete it first or choose another name`);
      }
      const content = await this.files.rename(tx, scope.sessionId, from, to, contentTypeFor(to));
      if (content === null) {
        throw notFound(`File not found: ${from}`);
      }
      size = content.length;
      return this.history.record(
        tx,
        scope.sessionId,
        [
          { path: from, content: null },
          { path: to, content },
        ],
        scope.origin ?? API_ORIGIN,
      );
    });
    return { from, to, size, version };
  }

  /**
   * Applies a batch as one version under the same locks and limits as a single write (per file, file
   * count, session quota judged after the batch, the user's storage cap): all of it or nothing.
   */
  async apply(scope: SandboxScope, batch: SandboxBatch): Promise<number> {
    const limits = this.config.sandbox;
    for (const [path, bytes] of batch.files) {
      parseSandboxPath(path);
      if (bytes.length > limits.maxFileBytes) {
        throw payloadTooLarge(
          `${path}: ${quotaProblem({ sessionBytes: 0, oldSize: 0, newSize: bytes.length }, limits)}`,
        );
      }
    }
    const version = await this.db.transaction(async (tx) => {
      const caps = await this.caps.lock(tx, scope.userId);
      const sessionBytes = await this.lockSession(tx, scope);
      await batch.precheck?.(tx);
      const current = await this.files.sizes(tx, scope.sessionId);
      const deletes = batch.replace ? [...current.keys()].filter((p) => !batch.files.has(p)) : [];
      const after = new Map(current);
      deletes.forEach((p) => after.delete(p));
      batch.files.forEach((bytes, p) => after.set(p, bytes.length));
      if (after.size > limits.maxFiles && after.size > current.size) {
        throw payloadTooLarge(
          `A sandbox holds at most ${limits.maxFiles} files; this would make ${after.size}`,
        );
      }
      const total = [...after.values()].reduce((n, size) => n + size, 0);
      if (total > limits.maxSessionBytes && total > sessionBytes) {
        throw payloadTooLarge(
          `Sandbox would hold ${total} bytes; the limit is ${limits.maxSessionBytes} bytes per session`,
        );
      }
      await this.caps.assertStorageFits(caps, total - sessionBytes, () =>
        this.sessions.storageOfUser(scope.userId, tx),
      );
      await this.files.deleteMany(tx, scope.sessionId, deletes);
      for (const [path, bytes] of batch.files) {
        await this.files.upsert(tx, scope.sessionId, path, bytes, contentTypeFor(path));
      }
      await this.sessions.addSandboxBytes(tx, scope.sessionId, total - sessionBytes);
      const changes = [
        ...deletes.map((path) => ({ path, content: null })),
        ...[...batch.files].map(([path, content]) => ({ path, content })),
      ];
      return this.history.record(tx, scope.sessionId, changes, scope.origin ?? API_ORIGIN);
    });
    // Only agent calls may record no version.
    return version!;
  }

  /** 412 unless the file is what `If-Match` names (`*`: any existing file). Caller holds the session lock. */
  private async assertMatches(
    tx: SqlClient,
    sessionId: string,
    path: string,
    ifMatch: string | undefined,
  ): Promise<void> {
    if (ifMatch === undefined) {
      return;
    }
    const hash = await this.files.hashOf(tx, sessionId, path);
    if (!etagMatches(ifMatch, hash === null ? null : `"${hash}"`)) {
      throw preconditionFailed(
        hash !== null
          ? `${path} has changed since you read it (If-Match does not match its ETag); read it again`
          : `${path} does not exist, so If-Match cannot match`,
      );
    }
  }

  /** Zero-byte files cost rows too: a new file past SANDBOX_MAX_FILES is refused (overwrites never are). */
  private async assertFileCountFits(tx: SqlClient, sessionId: string): Promise<void> {
    const max = this.config.sandbox.maxFiles;
    // The session row is locked, so the count cannot change under us.
    if ((await this.files.count(tx, sessionId)) >= max) {
      throw payloadTooLarge(`A sandbox holds at most ${max} files; delete one to add another`);
    }
  }

  /** Locks the session's row for this transaction and returns its current sandbox total. */
  private async lockSession(tx: SqlClient, scope: SandboxScope): Promise<number> {
    const bytes = await this.sessions.lockSandbox(tx, scope.sessionId, scope.userId);
    if (bytes === null) {
      throw notFound('Session not found');
    }
    return bytes;
  }
}

/** RFC 9110 If-Match: `*` matches any current file; otherwise one of the listed strong tags must be equal. */
export function etagMatches(ifMatch: string, current: string | null): boolean {
  if (current === null) {
    return false;
  }
  const tags = ifMatch.split(',').map((t) => t.trim());
  return tags.includes('*') || tags.includes(current);
}
