import { Injectable } from '@nestjs/common';
import { Sql } from '../../database/sql.service.js';
import type { PreviewErrorKind } from './preview-error.entity.js';

/** A stored preview error, as the API and the agent tool see it. */
export interface PreviewErrorRecord {
  kind: PreviewErrorKind;
  message: string;
  source: string | null;
  line: number | null;
  column: number | null;
  version: number;
  at: Date;
}

export type NewPreviewError = Omit<PreviewErrorRecord, 'at'>;

interface Row {
  kind: PreviewErrorKind;
  message: string;
  source: string | null;
  line: number | null;
  column: number | null;
  version: number;
  created_at: Date;
}

const toRecord = (r: Row): PreviewErrorRecord => ({
  kind: r.kind,
  message: r.message,
  source: r.source,
  line: r.line,
  column: r.column,
  version: r.version,
  at: r.created_at,
});

/**
 * Every statement on `preview_errors`. Plain SQL: an insert that prunes the session to its newest
 * rows in the same statement, and one indexed read; reads join `sessions.user_id` to the acting user.
 */
@Injectable()
export class PreviewErrorsRepository {
  constructor(private readonly sql: Sql) {}

  /** Stores one error and drops the session's rows older than its newest `keep`. */
  async add(sessionId: string, error: NewPreviewError, keep: number): Promise<void> {
    await this.sql.query(
      `WITH added AS (
         INSERT INTO preview_errors (session_id, kind, message, source, line, "column", version)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id
       )
       DELETE FROM preview_errors
        WHERE session_id = $1
          AND id <= (SELECT id FROM preview_errors WHERE session_id = $1 ORDER BY id DESC OFFSET $8 LIMIT 1)
          AND id < (SELECT id FROM added)`,
      [
        sessionId,
        error.kind,
        error.message,
        error.source,
        error.line,
        error.column,
        error.version,
        keep - 1,
      ],
    );
  }

  /** The newest `limit` errors of a session the user owns (of one version when given), newest first. */
  async latest(
    sessionId: string,
    userId: number,
    limit: number,
    version?: number,
  ): Promise<PreviewErrorRecord[]> {
    const rows = await this.sql.query<Row>(
      `SELECT e.kind, e.message, e.source, e.line, e."column", e.version, e.created_at
         FROM preview_errors e JOIN sessions s ON s.id = e.session_id
        WHERE e.session_id = $1 AND s.user_id = $2 AND ($4::int IS NULL OR e.version = $4)
        ORDER BY e.id DESC LIMIT $3`,
      [sessionId, userId, limit, version ?? null],
    );
    return rows.map(toRecord);
  }
}
