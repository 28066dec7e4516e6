import { Inject, Injectable } from '@nestjs/common';
import { CapsService } from '../caps/caps.service.js';
import { notFound, payloadTooLarge } from '../common/errors/app-error.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { contentTypeFor } from './content-type.js';
import type { FileContentView, FileListing } from './dto/sandbox-views.js';
import { quotaProblem } from './quota.js';
import { parseSandboxPath } from './sandbox-path.js';

/** The session a sandbox call acts in, and the user acting; every query checks both. */
export interface SandboxScope {
  userId: number;
  sessionId: string;
}

export type { FileListing };

export interface StoredFile {
  content: Buffer;
  contentType: string;
  size: number;
}

@Injectable()
export class SandboxService {
  constructor(
    private readonly db: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly caps: CapsService,
  ) {}

  async list(scope: SandboxScope): Promise<FileListing> {
    const rows: { path: string; size: number }[] = await this.db.query(
      `SELECT f.path, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND s.user_id = $2 ORDER BY f.path COLLATE "C"`,
      [scope.sessionId, scope.userId],
    );
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
    const rows: { content: Buffer; content_type: string; size: number }[] = await this.db.query(
      `SELECT f.content, f.content_type, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND f.path = $2 AND s.user_id = $3`,
      [scope.sessionId, path, scope.userId],
    );
    if (rows.length === 0) {
      return null;
    }
    return { content: rows[0].content, contentType: rows[0].content_type, size: rows[0].size };
  }

  async readText(scope: SandboxScope, rawPath: unknown): Promise<FileContentView> {
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
      const old: { size: number }[] = await tx.query(
        `SELECT size FROM sandbox_files WHERE session_id = $1 AND path = $2`,
        [scope.sessionId, path],
      );
      if (old.length === 0) {
        await this.assertFileCountFits(tx, scope.sessionId);
      }
      const oldSize = old[0]?.size ?? 0;
      const problem = quotaProblem({ sessionBytes, oldSize, newSize: bytes.length }, limits);
      if (problem) {
        throw payloadTooLarge(problem);
      }
      await this.caps.assertStorageFits(tx, scope.userId, caps, bytes.length - oldSize);
      await tx.query(
        `INSERT INTO sandbox_files (session_id, path, content, size, content_type)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (session_id, path)
         DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size,
                       content_type = EXCLUDED.content_type, updated_at = now()`,
        [scope.sessionId, path, bytes, bytes.length, contentTypeFor(path)],
      );
      await this.adjustTotal(tx, scope.sessionId, bytes.length - oldSize);
    });
    return { filename: path, size: bytes.length };
  }

  async remove(scope: SandboxScope, rawPath: unknown): Promise<void> {
    const path = parseSandboxPath(rawPath);
    await this.db.transaction(async (tx) => {
      await this.lockSession(tx, scope);
      const deleted: { size: number }[] = await tx.query(
        `DELETE FROM sandbox_files WHERE session_id = $1 AND path = $2 RETURNING size`,
        [scope.sessionId, path],
      );
      const size = deleted[0]?.size;
      if (size === undefined) {
        throw notFound(`File not found: ${path}`);
      }
      await this.adjustTotal(tx, scope.sessionId, -size);
    });
  }

  /** Zero-byte files cost rows too: a new file past SANDBOX_MAX_FILES is refused (overwrites never are). */
  private async assertFileCountFits(tx: SqlClient, sessionId: string): Promise<void> {
    const max = this.config.sandbox.maxFiles;
    // Counted on the (session_id, path) index; never more than `max` entries, the session row is locked.
    const [row] = await tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM sandbox_files WHERE session_id = $1`,
      [sessionId],
    );
    if (Number(row.n) >= max) {
      throw payloadTooLarge(`A sandbox holds at most ${max} files; delete one to add another`);
    }
  }

  /** Locks the session's row for this transaction and returns its current sandbox total. */
  private async lockSession(tx: SqlClient, scope: SandboxScope): Promise<number> {
    const rows: { sandbox_bytes: string }[] = await tx.query(
      `SELECT sandbox_bytes FROM sessions WHERE id = $1 AND user_id = $2 FOR UPDATE`,
      [scope.sessionId, scope.userId],
    );
    if (rows.length === 0) {
      throw notFound('Session not found');
    }
    return Number(rows[0].sandbox_bytes);
  }

  private async adjustTotal(tx: SqlClient, sessionId: string, delta: number): Promise<void> {
    await tx.query(
      `UPDATE sessions SET sandbox_bytes = sandbox_bytes + $2, updated_at = now() WHERE id = $1`,
      [sessionId, delta],
    );
  }
}
