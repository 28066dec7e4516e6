import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';

/** A stored file as the API sends it. */
export interface StoredFile {
  content: Buffer;
  contentType: string;
  size: number;
}

/**
 * Every statement on `sandbox_files`. Plain SQL: these are every request of the files API, the
 * hottest path of the service (see BENCHMARKS.md). Reads join `sessions.user_id` to the acting user,
 * so a caller that skipped the guard (an agent tool) still cannot reach another user's files; writes
 * run in the transaction that locked the session's row.
 */
@Injectable()
export class SandboxFilesRepository {
  constructor(private readonly sql: Sql) {}

  /** Names and sizes, in byte order of the path. */
  async list(sessionId: string, userId: number): Promise<{ path: string; size: number }[]> {
    return this.sql.query<{ path: string; size: number }>(
      `SELECT f.path, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND s.user_id = $2 ORDER BY f.path COLLATE "C"`,
      [sessionId, userId],
    );
  }

  async find(sessionId: string, userId: number, path: string): Promise<StoredFile | null> {
    const [row] = await this.sql.query<{ content: Buffer; content_type: string; size: number }>(
      `SELECT f.content, f.content_type, f.size FROM sandbox_files f JOIN sessions s ON s.id = f.session_id
        WHERE f.session_id = $1 AND f.path = $2 AND s.user_id = $3`,
      [sessionId, path, userId],
    );
    return row ? { content: row.content, contentType: row.content_type, size: row.size } : null;
  }

  /** The size of the file a write would replace, or null for a new one. */
  async sizeOf(tx: SqlClient, sessionId: string, path: string): Promise<number | null> {
    const [row] = await tx.query<{ size: number }>(
      `SELECT size FROM sandbox_files WHERE session_id = $1 AND path = $2`,
      [sessionId, path],
    );
    return row?.size ?? null;
  }

  /** Every file's size, by path (a batch judges the sandbox after it from these). */
  async sizes(tx: SqlClient, sessionId: string): Promise<Map<string, number>> {
    const rows = await tx.query<{ path: string; size: number }>(
      `SELECT path, size FROM sandbox_files WHERE session_id = $1`,
      [sessionId],
    );
    return new Map(rows.map((r) => [r.path, r.size]));
  }

  /** The SHA-256 (hex) of a file's content, or null when there is no such file (`If-Match`). */
  async hashOf(tx: SqlClient, sessionId: string, path: string): Promise<string | null> {
    const [row] = await tx.query<{ hash: string }>(
      `SELECT encode(sha256(content), 'hex') AS hash FROM sandbox_files
        WHERE session_id = $1 AND path = $2`,
      [sessionId, path],
    );
    return row?.hash ?? null;
  }

  /** Counted on the (session_id, path) index. */
  async count(tx: SqlClient, sessionId: string): Promise<number> {
    const [row] = await tx.query<{ n: string }>(
      `SELECT count(*) AS n FROM sandbox_files WHERE session_id = $1`,
      [sessionId],
    );
    return Number(row.n);
  }

  async upsert(
    tx: SqlClient,
    sessionId: string,
    path: string,
    content: Buffer,
    contentType: string,
  ): Promise<void> {
    await tx.query(
      `INSERT INTO sandbox_files (session_id, path, content, size, content_type)
       VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (session_id, path)
       DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size,
                     content_type = EXCLUDED.content_type, updated_at = now()`,
      [sessionId, path, content, content.length, contentType],
    );
  }

  /**
   * Renames a file in place (the caller holds the session lock and checked that `to` is free); its
   * content, or null when `from` does not exist. One UPDATE: the move is atomic.
   */
  async rename(
    tx: SqlClient,
    sessionId: string,
    from: string,
    to: string,
    contentType: string,
  ): Promise<Buffer | null> {
    const [row] = await tx.query<{ content: Buffer }>(
      `UPDATE sandbox_files SET path = $3, content_type = $4, updated_at = now()
        WHERE session_id = $1 AND path = $2 RETURNING content`,
      [sessionId, from, to, contentType],
    );
    return row?.content ?? null;
  }

  /** Deletes the file; its size, or null when there was none. */
  async delete(tx: SqlClient, sessionId: string, path: string): Promise<number | null> {
    const [row] = await tx.query<{ size: number }>(
      `DELETE FROM sandbox_files WHERE session_id = $1 AND path = $2 RETURNING size`,
      [sessionId, path],
    );
    return row?.size ?? null;
  }

  /** Deletes these files (a batch that replaces the sandbox). */
  async deleteMany(tx: SqlClient, sessionId: string, paths: string[]): Promise<void> {
    if (paths.length > 0) {
      await tx.query(
        `DELETE FROM sandbox_files WHERE session_id = $1 AND path = ANY($2::varchar[])`,
        [sessionId, paths],
      );
    }
  }
}
