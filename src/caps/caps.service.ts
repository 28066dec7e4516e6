import { Inject, Injectable } from '@nestjs/common';
import { forbidden, notFound, payloadTooLarge, rateLimited } from '../common/errors/app-error.js';
import type { AppConfig, Tier, TierCaps } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql, type SqlClient } from '../database/sql.service.js';
import {
  limitsView,
  reached,
  secondsUntilUtcMidnight,
  storageProblem,
  type UsageFigures,
} from './caps.js';

/** Today in UTC as PostgreSQL sees it, so every replica agrees on when the day turns. */
const TODAY = `(now() AT TIME ZONE 'UTC')::date`;

const SQL = {
  // NO KEY UPDATE: it serialises every cap check of this user (they all take it) but, unlike FOR UPDATE,
  // does not block the FOR KEY SHARE locks of inserts that merely reference the user.
  lock: `SELECT tier FROM users WHERE id = $1 FOR NO KEY UPDATE`,
  tier: `SELECT tier FROM users WHERE id = $1`,
  sessions: `SELECT count(*) AS n FROM sessions WHERE user_id = $1`,
  storage: `SELECT COALESCE(sum(sandbox_bytes), 0) AS n FROM sessions WHERE user_id = $1`,
  // The partial unique index on running messages is as small as the number of turns running now.
  running: `SELECT count(*) AS n FROM messages
             WHERE status = 'running' AND session_id IN (SELECT id FROM sessions WHERE user_id = $1)`,
  tokensToday: `SELECT COALESCE(sum(tokens), 0) AS n FROM user_token_usage
                 WHERE user_id = $1 AND day = ${TODAY}`,
  addTokens: `INSERT INTO user_token_usage (user_id, day, tokens)
              SELECT user_id, ${TODAY}, $2 FROM sessions WHERE id = $1
              ON CONFLICT (user_id, day) DO UPDATE SET tokens = user_token_usage.tokens + EXCLUDED.tokens`,
};

export interface MeUsage {
  tier: Tier;
  usage: UsageFigures;
  limits: UsageFigures;
}

/**
 * The per-user caps by tier. Every check runs inside the caller's transaction after `lock()` took the
 * user's row, and the caller makes its change in that same transaction: checks of one user queue on
 * the row, and each counts what the previous one committed, so parallel requests cannot overshoot.
 * Lock order is always user, then session.
 */
@Injectable()
export class CapsService {
  constructor(
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Locks the user's row until the transaction ends; returns the caps of their tier, read fresh. */
  async lock(tx: SqlClient, userId: number): Promise<TierCaps> {
    const rows = await tx.query<{ tier: Tier }>(SQL.lock, [userId]);
    if (rows.length === 0) {
      throw notFound('User not found');
    }
    return this.config.caps[rows[0].tier];
  }

  /** Before a new session: 403 once the user holds their tier's number of sessions. */
  async assertSessionFits(tx: SqlClient, userId: number): Promise<void> {
    const caps = await this.lock(tx, userId);
    if (caps.sessions > 0 && reached(await this.count(tx, SQL.sessions, userId), caps.sessions)) {
      throw forbidden(
        `Your plan allows ${caps.sessions} sessions; delete one or upgrade to create another`,
      );
    }
  }

  /** Before a write that grows the user's sandboxes by `growth` bytes (caller holds the lock): 413 past the cap. */
  async assertStorageFits(
    tx: SqlClient,
    userId: number,
    caps: TierCaps,
    growth: number,
  ): Promise<void> {
    if (growth <= 0 || caps.storageBytes === 0) {
      return;
    }
    const before = await this.count(tx, SQL.storage, userId);
    const problem = storageProblem(before, before + growth, caps.storageBytes);
    if (problem) {
      throw payloadTooLarge(problem);
    }
  }

  /** Before a turn: 429 past the concurrent runs, or with Retry-After once the day's tokens are spent. */
  async assertTurnFits(tx: SqlClient, userId: number): Promise<void> {
    const caps = await this.lock(tx, userId);
    if (caps.concurrentRuns > 0) {
      const running = await this.count(tx, SQL.running, userId);
      if (reached(running, caps.concurrentRuns)) {
        throw rateLimited(
          `Your plan runs at most ${caps.concurrentRuns} agent turns at once; wait for one to finish`,
        );
      }
    }
    if (caps.tokensPerDay > 0) {
      const used = await this.count(tx, SQL.tokensToday, userId);
      if (reached(used, caps.tokensPerDay)) {
        throw rateLimited(
          `Your plan allows ${caps.tokensPerDay} tokens a day (UTC) and today's are spent`,
          secondsUntilUtcMidnight(new Date()),
        );
      }
    }
  }

  /** Adds a finished turn's tokens to its user's day. */
  async recordTokens(tx: SqlClient, sessionId: string, tokens: number): Promise<void> {
    if (tokens > 0) {
      await tx.query(SQL.addTokens, [sessionId, tokens]);
    }
  }

  /** What `GET /api/auth/me` shows: the tier, what the user uses now and its caps (0 = unlimited). */
  async usage(userId: number): Promise<MeUsage> {
    const [[user], sessions, storage, running, tokens] = await Promise.all([
      this.sql.query<{ tier: Tier }>(SQL.tier, [userId]),
      this.count(this.sql, SQL.sessions, userId),
      this.count(this.sql, SQL.storage, userId),
      this.count(this.sql, SQL.running, userId),
      this.count(this.sql, SQL.tokensToday, userId),
    ]);
    if (!user) {
      throw notFound('User not found');
    }
    return {
      tier: user.tier,
      usage: { sessions, storage_bytes: storage, running, tokens_today: tokens },
      limits: limitsView(this.config.caps[user.tier]),
    };
  }

  private async count(db: SqlClient, sql: string, userId: number): Promise<number> {
    // count() and sum() arrive from pg as strings (bigint/numeric).
    const [row] = await db.query<{ n: string }>(sql, [userId]);
    return Number(row.n);
  }
}
