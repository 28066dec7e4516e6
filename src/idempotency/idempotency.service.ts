import {
  Inject,
  Injectable,
  Logger,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, conflict, validationFailed } from '../common/errors/app-error.js';
import { statusOf } from '../common/errors/error-status.js';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';
import { Sql } from '../database/sql.service.js';
import { requestHash } from './request-hash.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
export const REPLAYED_HEADER = 'Idempotent-Replayed';
const MAX_KEY_LENGTH = 255;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** The answer a route gives: its status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

const SQL = {
  // Inserted before the work: of two identical requests racing, exactly one gets a row back. An expired
  // key (24 h) is reused; an in-progress one whose owner must have died (older than a whole run may
  // take) is taken over by the same request.
  claim: `INSERT INTO idempotency_keys (user_id, key, request_hash) VALUES ($1, $2, $3)
          ON CONFLICT (user_id, key) DO UPDATE
             SET request_hash = EXCLUDED.request_hash, status = 'in_progress',
                 response_status = NULL, response_body = NULL, created_at = clock_timestamp()
           WHERE idempotency_keys.created_at < now() - interval '24 hours'
              OR (idempotency_keys.status = 'in_progress'
                  AND idempotency_keys.request_hash = EXCLUDED.request_hash
                  AND idempotency_keys.created_at < now() - make_interval(secs => $4 / 1000.0))
          RETURNING created_at::text AS created_at`,
  existing: `SELECT request_hash, status, response_status, response_body FROM idempotency_keys
              WHERE user_id = $1 AND key = $2`,
  // `created_at` identifies this claim, so a request that was taken over cannot overwrite its successor.
  finish: `UPDATE idempotency_keys SET status = 'done', response_status = $4, response_body = $5
            WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz`,
  release: `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND created_at = $3::timestamptz`,
  sweep: `DELETE FROM idempotency_keys WHERE created_at < now() - interval '24 hours'`,
};

/** What is read of the request, by shape: Express's and Fastify's requests both have it. */
export interface IdempotentRequest {
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
}

interface Claim {
  userId: number;
  key: string;
  /** As text: a JS Date would drop the microseconds that make it match. */
  createdAt: string;
}

/**
 * `Idempotency-Key` for the POSTs that create things (sessions, agent turns), after Stripe: the first
 * answer for a user's key is kept 24 h and replayed (status and body, marked `Idempotent-Replayed:
 * true`) without doing the work again. Kept: successes and the client's own errors (4xx), except 409
 * and 429, which say "not now" rather than "no". Released: 5xx and crashes, so a retry does the work.
 */
@Injectable()
export class IdempotencyService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Idempotency');
  private sweeper?: NodeJS.Timeout;

  constructor(
    private readonly sql: Sql,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_EVERY_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /**
   * Runs `work` once per key and writes its answer to `res` (the handler's `@Res()`, either adapter's),
   * or replays the stored one.
   */
  async respond(
    req: IdempotentRequest,
    res: object,
    userId: number,
    work: () => Promise<Answer>,
  ): Promise<void> {
    const http = this.adapterHost.httpAdapter;
    const header = req.headers[IDEMPOTENCY_HEADER.toLowerCase()];
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined) {
      const answer = await work();
      http.reply(res, answer.body, answer.status);
      return;
    }
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw validationFailed(`${IDEMPOTENCY_HEADER} must be 1 to ${MAX_KEY_LENGTH} characters`);
    }
    const hash = requestHash(req.method, req.originalUrl, req.body);
    const claim = await this.claim(userId, key, hash);
    if ('replay' in claim) {
      http.setHeader(res, REPLAYED_HEADER, 'true');
      // Stored as JSON.stringify wrote it, so parsing and sending again gives the same bytes.
      http.reply(res, JSON.parse(claim.replay.text), claim.replay.status);
      return;
    }
    let answer: Answer;
    try {
      answer = await work();
    } catch (err) {
      const status = err instanceof AppError ? statusOf(err.kind) : 500;
      if (err instanceof AppError && kept(status)) {
        const body = err.errors
          ? { detail: err.message, errors: err.errors }
          : { detail: err.message };
        await this.finish(claim, status, JSON.stringify(body));
      } else {
        await this.sql.query(SQL.release, [claim.userId, claim.key, claim.createdAt]).catch((e) => {
          this.logger.warn(`could not release an idempotency key: ${(e as Error).message}`);
        });
      }
      throw err;
    }
    await this.finish(claim, answer.status, JSON.stringify(answer.body));
    http.reply(res, answer.body, answer.status);
  }

  private async claim(
    userId: number,
    key: string,
    hash: string,
  ): Promise<Claim | { replay: { status: number; text: string } }> {
    // A released key can vanish between the insert and the read: then claim again.
    for (let attempt = 0; attempt < 3; attempt++) {
      const staleMs = this.config.agent.runTimeoutMs + 60_000;
      const won = await this.sql.query<{ created_at: string }>(SQL.claim, [
        userId,
        key,
        hash,
        staleMs,
      ]);
      if (won.length > 0) {
        return { userId, key, createdAt: won[0].created_at };
      }
      const [row] = await this.sql.query<{
        request_hash: string;
        status: 'in_progress' | 'done';
        response_status: number | null;
        response_body: string | null;
      }>(SQL.existing, [userId, key]);
      if (!row) {
        continue;
      }
      if (row.request_hash !== hash) {
        throw validationFailed(
          `This ${IDEMPOTENCY_HEADER} was already used with another request; send a new key`,
        );
      }
      if (row.status === 'in_progress') {
        throw conflict(
          `A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry when it has finished`,
        );
      }
      return { replay: { status: row.response_status!, text: row.response_body! } };
    }
    throw conflict(`A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry later`);
  }

  private async finish(claim: Claim, status: number, text: string): Promise<void> {
    try {
      await this.sql.query(SQL.finish, [claim.userId, claim.key, claim.createdAt, status, text]);
    } catch (err) {
      // The work is done: leaving the key in progress (taken over once stale) is safer than a retry redoing it.
      this.logger.warn(`could not store an idempotent answer: ${(err as Error).message}`);
    }
  }

  private async sweep(): Promise<void> {
    try {
      await this.sql.query(SQL.sweep);
    } catch (err) {
      this.logger.warn(`could not sweep expired idempotency keys: ${(err as Error).message}`);
    }
  }
}

/** Which first answers are kept for replay (see the class comment). */
const kept = (status: number): boolean => status < 500 && status !== 409 && status !== 429;
