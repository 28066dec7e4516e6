import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/sql.service.js';
import type { HistoryHead } from './history-types.js';

interface HeadRow {
  head: number;
  pruned_through: number;
  blob_bytes: string;
}

const toHead = (r: HeadRow): HistoryHead => ({
  head: r.head,
  prunedThrough: r.pruned_through,
  blobBytes: Number(r.blob_bytes),
});

/** `session_history`: one row per session (its newest version, pruning mark, bytes held). Plain SQL. */
@Injectable()
export class HistoryHeadsRepository {
  /** Creates the row of a session that has none yet; true when this call created it. */
  async create(db: SqlClient, sessionId: string): Promise<boolean> {
    const rows = await db.query(
      // FOR KEY SHARE first: a writer holding the session's row is waited for before anything is inserted.
      `INSERT INTO session_history (session_id)
       SELECT id FROM sessions WHERE id = $1 FOR KEY SHARE
       ON CONFLICT DO NOTHING RETURNING session_id`,
      [sessionId],
    );
    return rows.length > 0;
  }

  async find(db: SqlClient, sessionId: string): Promise<HistoryHead | null> {
    const rows = await db.query<HeadRow>(
      `SELECT head, pruned_through, blob_bytes FROM session_history WHERE session_id = $1`,
      [sessionId],
    );
    return rows[0] ? toHead(rows[0]) : null;
  }

  /** Locks the row until the transaction ends (the caller already holds the session's row). */
  async lock(tx: SqlClient, sessionId: string): Promise<HistoryHead> {
    const [row] = await tx.query<HeadRow>(
      `SELECT head, pruned_through, blob_bytes FROM session_history WHERE session_id = $1 FOR UPDATE`,
      [sessionId],
    );
    return toHead(row);
  }

  async save(tx: SqlClient, sessionId: string, head: HistoryHead): Promise<void> {
    await tx.query(
      `UPDATE session_history SET head = $2, pruned_through = $3, blob_bytes = $4 WHERE session_id = $1`,
      [sessionId, head.head, head.prunedThrough, head.blobBytes],
    );
  }
}
