import { Injectable } from '@nestjs/common';
import { Sql, type SqlClient } from '../database/sql.service.js';

/** Today in UTC as PostgreSQL sees it, so every replica agrees on when the day turns. */
const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

/**
 * Every statement on `user_token_usage`. Plain SQL: an upsert that adds (ON CONFLICT … tokens +
 * EXCLUDED.tokens) and a one-row read, both inside turn transactions.
 */
@Injectable()
export class TokenUsageRepository {
  constructor(private readonly sql: Sql) {}

  async today(userId: number, tx?: SqlClient): Promise<number> {
    const [row] = await (tx ?? this.sql).query<{ n: string }>(
      `SELECT COALESCE(sum(tokens), 0) AS n FROM user_token_usage WHERE user_id = $1 AND day = ${TODAY}`,
      [userId],
    );
    return Number(row.n);
  }

  /** Adds tokens to the day of the session's owner (the turn's end knows its session, not its user). */
  async addForSession(tx: SqlClient, sessionId: string, tokens: number): Promise<void> {
    await tx.query(
      `INSERT INTO user_token_usage (user_id, day, tokens)
       SELECT user_id, ${TODAY}, $2 FROM sessions WHERE id = $1
       ON CONFLICT (user_id, day) DO UPDATE SET tokens = user_token_usage.tokens + EXCLUDED.tokens`,
      [sessionId, tokens],
    );
  }
}
