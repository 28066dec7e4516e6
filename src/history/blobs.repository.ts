import { Injectable } from '@nestjs/common';
import type { SqlClient } from '../database/sql.service.js';

/** `version_blobs`: which contents a session's history holds, and their sizes (its budget). Plain SQL. */
@Injectable()
export class BlobsRepository {
  /** Registers contents; returns those that were new to the session (the others are stored already). */
  async insertNew(
    tx: SqlClient,
    sessionId: string,
    blobs: { hash: string; size: number }[],
  ): Promise<{ hash: string; size: number }[]> {
    if (blobs.length === 0) {
      return [];
    }
    return tx.query<{ hash: string; size: number }>(
      `INSERT INTO version_blobs (session_id, hash, size)
       SELECT $1, h, s FROM unnest($2::char(64)[], $3::int[]) AS t(h, s)
       ON CONFLICT DO NOTHING RETURNING hash, size`,
      [sessionId, blobs.map((b) => b.hash), blobs.map((b) => b.size)],
    );
  }

  /** Forgets these contents; returns the bytes they took. */
  async delete(tx: SqlClient, sessionId: string, hashes: string[]): Promise<number> {
    if (hashes.length === 0) {
      return 0;
    }
    const rows = await tx.query<{ size: number }>(
      `DELETE FROM version_blobs WHERE session_id = $1 AND hash = ANY($2::char(64)[]) RETURNING size`,
      [sessionId, hashes],
    );
    return rows.reduce((n, r) => n + r.size, 0);
  }
}
