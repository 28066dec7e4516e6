import { Injectable } from '@nestjs/common';
import { Sql } from '../database/sql.service.js';
import type { IdempotencyKey } from './idempotency-key.entity.js';

/** A claim on a key; `createdAt` as text, because a JS Date would drop the microseconds that identify it. */
export interface KeyClaim {
  userId: number;
  key: string;
  createdAt: string;
}

export type StoredKey = Pick<
  IdempotencyKey,
  'requestHash' | 'status' | 'responseStatus' | 'responseBody'
>;

/**
 * Every statement on `idempotency_keys`. Plain SQL: the claim is an INSERT … ON CONFLICT DO UPDATE …
 * WHERE … RETURNING that TypeORM cannot express, and a claim is matched by its microsecond timestamp.
 */
@Injectable()
export class IdempotencyKeysRepository {
  constructor(private readonly sql: Sql) {}

  /**
   * Inserted before the work: of two identical requests racing, exactly one gets a claim back. An
   * expired key (24 h) is reused; an in-progress one older than `staleMs` (its owner must have died)
   * is taken over by the same request.
   */
  async claim(
    userId: number,
    key: string,
    requestHash: string,
    staleMs: number,
  ): Promise<KeyClaim | null> {
    const [row] = await this.sql.query<{ created_at: string }>(
      `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
       ON CONFLICT (user_id, key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, status = 'in_progress',
              response_status = NULL, response_body = NULL, created_at = clock_timestamp()
        WHERE idempotency_keys.created_at < now() - interval '24 hours'
           OR (idempotency_keys.status = 'in_progress'
               AND idempotency_keys.request_hash = EXCLUDED.request_hash
               AND idempotency_keys.created_at < now() - make_interval(secs => $4 / 1000.0))
       RETURNING created_at::text AS created_at`,
      [userId, key, requestHash, staleMs],
    );
    return row ? { userId, key, createdAt: row.created_at } : null;
  }

  async find(userId: number, key: string): Promise<StoredKey | null> {
    const [row] = await this.sql.query<{
      request_hash: string;
      status: StoredKey['status'];
      response_status: number | null;
      response_body: string | null;
    }>(
      `SELECT request_hash, status, response_status, response_body FROM idempotency_keys
        WHERE user_id = $1 AND key = $2`,
      [userId, key],
    );
    return row
      ? {
          requestHash: row.request_hash,
          status: row.status,
          responseStatus: row.response_status,
          responseBody: row.response_body,
        }
      : null;
  }

  /** Only this claim's row: a request that was taken over cannot overwrite its successor. */
  async finish(claim: KeyClaim, status: number, body: string): Promise<void> {
    await this.sql.query(
      `UPDATE idempotency_keys SET status = 'done', response_status = $4, response_body = $5
        WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz`,
      [claim.userId, claim.key, claim.createdAt, status, body],
    );
  }

  async release(claim: KeyClaim): Promise<void> {
    await this.sql.query(
      `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz`,
      [claim.userId, claim.key, claim.createdAt],
    );
  }

  async deleteExpired(): Promise<void> {
    await this.sql.query(
      `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
    );
  }
}
