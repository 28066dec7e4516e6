import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../../database/sql.service.js';
import { ApiKey } from './api-key.entity.js';

interface Row {
  id: number;
  user_id: number;
  name: string;
  prefix: string;
  key_hash: string;
  created_at: Date;
  last_used_at: Date | null;
  expires_at: Date | null;
}

const COLUMNS = 'id, user_id, name, prefix, key_hash, created_at, last_used_at, expires_at';

/** The one row mapper of `api_keys`. */
const toApiKey = (r: Row): ApiKey =>
  Object.assign(new ApiKey(), {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    prefix: r.prefix,
    keyHash: r.key_hash,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    expiresAt: r.expires_at,
  });

/** What authenticating with a key needs to know about it. */
export interface KeyOwner {
  id: number;
  userId: number;
  expiresAt: Date | null;
}

/**
 * Every statement on `api_keys`. Plain SQL: the create counts and inserts inside the caller's
 * transaction (under the user's row lock), the per-request read is one index probe, and the
 * last-used update is conditional in one statement.
 */
@Injectable()
export class ApiKeysRepository {
  constructor(private readonly sql: Sql) {}

  async countByUser(tx: SqlClient, userId: number): Promise<number> {
    const [row] = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`,
      [userId],
    );
    return row.n;
  }

  async insert(
    tx: SqlClient,
    k: { userId: number; name: string; prefix: string; keyHash: string; expiresAt: Date | null },
  ): Promise<ApiKey> {
    const [row] = await tx.query<Row>(
      `INSERT INTO api_keys (user_id, name, prefix, key_hash, expires_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [k.userId, k.name, k.prefix, k.keyHash, k.expiresAt],
    );
    return toApiKey(row);
  }

  /** The user's keys, oldest first. */
  async listByUser(userId: number): Promise<ApiKey[]> {
    const rows = await this.sql.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys WHERE user_id = $1 ORDER BY id`,
      [userId],
    );
    return rows.map(toApiKey);
  }

  /** Deletes the user's key; false when the user has no such key. */
  async deleteOwned(userId: number, id: number): Promise<boolean> {
    const rows = await this.sql.query(
      `DELETE FROM api_keys WHERE id = $1 AND user_id = $2 RETURNING id`,
      [id, userId],
    );
    return rows.length > 0;
  }

  async findByHash(keyHash: string): Promise<KeyOwner | null> {
    const [row] = await this.sql.query<Pick<Row, 'id' | 'user_id' | 'expires_at'>>(
      `SELECT id, user_id, expires_at FROM api_keys WHERE key_hash = $1`,
      [keyHash],
    );
    return row ? { id: row.id, userId: row.user_id, expiresAt: row.expires_at } : null;
  }

  /** Records a use; skipped in SQL too when another replica recorded one within `minGapSec`. */
  async touch(id: number, minGapSec: number): Promise<void> {
    await this.sql.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - make_interval(secs => $2))`,
      [id, minGapSec],
    );
  }
}
