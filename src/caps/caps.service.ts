import { Inject, Injectable } from '@nestjs/common';
import { forbidden, notFound, payloadTooLarge, rateLimited } from '../common/errors/app-error.js';
import type { AppConfig, Tier, TierCaps } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import type { SqlClient } from '../database/sql.service.js';
import { UsersRepository } from '../users/users.repository.js';
import {
  limitsView,
  reached,
  secondsUntilUtcMidnight,
  storageProblem,
  type UsageFigures,
} from './caps.js';
import { TokenUsageRepository } from './token-usage.repository.js';

/** A count the caller reads from the table it owns, only when a cap needs it. */
export type Count = () => Promise<number>;

/** What a user holds and runs now, each read by the feature that owns it. */
export interface UsageCounts {
  sessions: Count;
  storageBytes: Count;
  running: Count;
}

export interface MeUsage {
  tier: Tier;
  usage: UsageFigures;
  limits: UsageFigures;
}

/**
 * The per-user caps by tier. Every check runs inside the caller's transaction after `lock()` took the
 * user's row, and the caller makes its change in that same transaction: checks of one user queue on
 * the row, and each counts what the previous one committed, so parallel requests cannot overshoot.
 * Lock order is always user, then session. The counts come from the callers, which own those tables
 * (sessions, sandbox storage, running turns): caps sit below every feature they limit.
 */
@Injectable()
export class CapsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly tokens: TokenUsageRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Locks the user's row until the transaction ends; returns the caps of their tier, read fresh. */
  async lock(tx: SqlClient, userId: number): Promise<TierCaps> {
    const tier = await this.users.lockForCaps(tx, userId);
    if (tier === null) {
      throw notFound('User not found');
    }
    return this.config.caps[tier];
  }

  /** Before a new session: 403 once the user holds their tier's number of sessions. */
  async assertSessionFits(tx: SqlClient, userId: number, sessionsOfUser: Count): Promise<void> {
    const caps = await this.lock(tx, userId);
    if (caps.sessions > 0 && reached(await sessionsOfUser(), caps.sessions)) {
      throw forbidden(
        `Your plan allows ${caps.sessions} sessions; delete one or upgrade to create another`,
      );
    }
  }

  /** Before a write that grows the user's sandboxes by `growth` bytes (caller holds the lock): 413 past the cap. */
  async assertStorageFits(caps: TierCaps, growth: number, storageOfUser: Count): Promise<void> {
    if (growth <= 0 || caps.storageBytes === 0) {
      return;
    }
    const before = await storageOfUser();
    const problem = storageProblem(before, before + growth, caps.storageBytes);
    if (problem) {
      throw payloadTooLarge(problem);
    }
  }

  /** Before a turn: 429 past the concurrent runs, or with Retry-After once the day's tokens are spent. */
  async assertTurnFits(tx: SqlClient, userId: number, runningOfUser: Count): Promise<void> {
    const caps = await this.lock(tx, userId);
    if (caps.concurrentRuns > 0) {
      const running = await runningOfUser();
      if (reached(running, caps.concurrentRuns)) {
        throw rateLimited(
          `Your plan runs at most ${caps.concurrentRuns} agent turns at once; wait for one to finish`,
        );
      }
    }
    if (caps.tokensPerDay > 0) {
      const used = await this.tokens.today(userId, tx);
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
      await this.tokens.addForSession(tx, sessionId, tokens);
    }
  }

  /** What `GET /api/auth/me` shows: the tier, what the user uses now and its caps (0 = unlimited). */
  async usage(userId: number, counts: UsageCounts): Promise<MeUsage> {
    const [user, sessions, storage, running, tokens] = await Promise.all([
      this.users.findById(userId),
      counts.sessions(),
      counts.storageBytes(),
      counts.running(),
      this.tokens.today(userId),
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
}
