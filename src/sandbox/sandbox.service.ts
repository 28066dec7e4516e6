import { Inject, Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import { notFound, payloadTooLarge } from '../common/errors/app-error.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import { SessionsRepository } from '../sessions/sessions.repository.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { contentTypeFor } from './content-type.js';
import type { FileListing } from './sandbox.views.js';
import { quotaProblem } from './quota.js';
import { SandboxFilesRepository, type StoredFile } from './sandbox-files.repository.js';
import { parseSandboxPath } from './sandbox-path.js';

/** The session a sandbox call acts in, and the user acting; every query checks both. */
export interface SandboxScope {
  userId: number;
  sessionId: string;
}

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

  /**
   * Creates or replaces a file. The user's row is locked first (their caps span all their sessions), then
   * the session's, so concurrent writes queue up and each sees the totals the previous one left: neither
   * the session quota, the user's storage cap nor the file count can be raced past.
   */
  async write(
    scope: SandboxScope,
    rawPath: unknown,
    content: string,
  ): Promise<{ filename: string; size: number }> {
    const path = parseSandboxPath(rawPath);
    const bytes = Buffer.from(content, 'utf8');
    const limits = this.config.sandbox;
    if (bytes.length > limits.maxFileBytes) {
      throw payloadTooLarge(
        quotaProblem({ sessionBytes: 0, oldSize: 0, newSize: bytes.length }, limits)!,
      );
    }
    await this.db.transaction(async (tx) => {
      const caps = await this.caps.lock(tx, scope.userId);
      const sessionBytes = await this.lockSession(tx, scope);
      const old = await this.files.sizeOf(tx, scope.sessionId, path);
      if (old === null) {
        await this.assertFileCountFits(tx, scope.sessionId);
      }
      const oldSize = old ?? 0;
      const problem = quotaProblem({ sessionBytes, oldSize, newSize: bytes.length }, limits);
      if (problem) {
        throw payloadTooLarge(problem);
      }
      await this.caps.assertStorageFits(tx, scope.userId, caps, bytes.length - oldSize);
      await this.files.upsert(tx, scope.sessionId, path, bytes, contentTypeFor(path));
      await this.sessions.addSandboxBytes(tx, scope.sessionId, bytes.length - oldSize);
    });
    return { filename: path, size: bytes.length };
  }

  async remove(scope: SandboxScope, rawPath: unknown): Promise<void> {
    const path = parseSandboxPath(rawPath);
    await this.db.transaction(async (tx) => {
      await this.lockSession(tx, scope);
      const size = await this.files.delete(tx, scope.sessionId, path);
      if (size === null) {
        throw notFound(`File not found: ${path}`);
      }
      await this.sessions.addSandboxBytes(tx, scope.sessionId, -size);
    });
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
