import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/sql.service.js';
import type { ContentStore } from './content-store.js';

/** Contents in the `blob_contents` table: written in the history's transaction, gone with the session. */
@Injectable()
export class PgContentStore implements ContentStore {
  async put(
    tx: SqlClient,
    sessionId: string,
    blobs: { hash: string; content: Buffer }[],
  ): Promise<void> {
    // One row per statement: a batch of 1 MiB contents in one array parameter would be one huge message.
    for (const blob of blobs) {
      await tx.query(
        `INSERT INTO blob_contents (session_id, hash, content) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING`,
        [sessionId, blob.hash, blob.content],
      );
    }
  }

  async get(db: SqlClient, sessionId: string, hashes: string[]): Promise<Map<string, Buffer>> {
    if (hashes.length === 0) {
      return new Map();
    }
    const rows = await db.query<{ hash: string; content: Buffer }>(
      `SELECT hash, content FROM blob_contents WHERE session_id = $1 AND hash = ANY($2::char(64)[])`,
      [sessionId, [...new Set(hashes)]],
    );
    return new Map(rows.map((r) => [r.hash, r.content]));
  }

  async delete(tx: SqlClient, sessionId: string, hashes: string[]): Promise<void> {
    if (hashes.length > 0) {
      await tx.query(
        `DELETE FROM blob_contents WHERE session_id = $1 AND hash = ANY($2::char(64)[])`,
        [sessionId, hashes],
      );
    }
  }
}
