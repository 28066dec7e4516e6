import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/sql.service.js';
import type { VersionRow, VersionSource } from './history-types.js';

interface Row {
  version: number;
  source: VersionSource;
  message_id: number | null;
  step_id: number | null;
  restored_from: number | null;
  created_at: Date;
}

const COLUMNS = 'version, source, message_id, step_id, restored_from, created_at';

const toVersion = (r: Row): VersionRow => ({
  version: r.version,
  source: r.source,
  messageId: r.message_id,
  stepId: r.step_id,
  restoredFrom: r.restored_from,
  createdAt: r.created_at,
});

/** `session_versions`: one row per version a session still keeps. Plain SQL. */
@Injectable()
export class VersionsRepository {
  /** Version 0, the empty sandbox, dated when the session was created. */
  async insertZero(tx: SqlClient, sessionId: string): Promise<void> {
    await tx.query(
      `INSERT INTO session_versions (session_id, version, source, created_at)
       SELECT id, 0, 'api', created_at FROM sessions WHERE id = $1
       ON CONFLICT DO NOTHING`,
      [sessionId],
    );
  }

  async insert(tx: SqlClient, sessionId: string, v: Omit<VersionRow, 'createdAt'>): Promise<void> {
    await tx.query(
      `INSERT INTO session_versions (session_id, version, source, message_id, step_id, restored_from)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [sessionId, v.version, v.source, v.messageId, v.stepId, v.restoredFrom],
    );
  }

  async find(db: SqlClient, sessionId: string, version: number): Promise<VersionRow | null> {
    const rows = await db.query<Row>(
      `SELECT ${COLUMNS} FROM session_versions WHERE session_id = $1 AND version = $2`,
      [sessionId, version],
    );
    return rows[0] ? toVersion(rows[0]) : null;
  }

  /** Newest first, below `before` when given; `limit` rows at most. */
  async page(
    db: SqlClient,
    sessionId: string,
    before: number | undefined,
    limit: number,
  ): Promise<VersionRow[]> {
    const rows = await db.query<Row>(
      `SELECT ${COLUMNS} FROM session_versions
        WHERE session_id = $1 AND ($2::int IS NULL OR version < $2)
        ORDER BY version DESC LIMIT $3`,
      [sessionId, before ?? null, limit],
    );
    return rows.map(toVersion);
  }

  async delete(tx: SqlClient, sessionId: string, version: number): Promise<void> {
    await tx.query(`DELETE FROM session_versions WHERE session_id = $1 AND version = $2`, [
      sessionId,
      version,
    ]);
  }
}
