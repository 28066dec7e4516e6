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
import { IdempotencyKeysRepository, type KeyClaim } from './idempotency-keys.repository.js';
import { requestHash } from './request-hash.js';

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
const REPLAYED_HEADER = 'Idempotent-Replayed';
const MAX_KEY_LENGTH = 255;
const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** The answer a route gives: its status and JSON body. */
export interface Answer {
  status: number;
  body: unknown;
}

/** What is read of the request (a Fastify request), by shape. */
export interface IdempotentRequest {
  method: string;
  originalUrl: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
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
    private readonly keys: IdempotencyKeysRepository,
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
   * Runs `work` once per key and writes its answer to `res` (the handler's `@Res()`),
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
        await this.keys.release(claim).catch((e) => {
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
  ): Promise<KeyClaim | { replay: { status: number; text: string } }> {
    // A released key can vanish between the insert and the read: then claim again.
    for (let attempt = 0; attempt < 3; attempt++) {
      // Older than a whole run may take: its request's process must have died.
      const staleMs = this.config.agent.runTimeoutMs + 60_000;
      const won = await this.keys.claim(userId, key, hash, staleMs);
      if (won) {
        return won;
      }
      const row = await this.keys.find(userId, key);
      if (!row) {
        continue;
      }
      if (row.requestHash !== hash) {
        throw validationFailed(
          `This ${IDEMPOTENCY_HEADER} was already used with another request; send a new key`,
        );
      }
      if (row.status === 'in_progress') {
        throw conflict(
          `A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry when it has finished`,
        );
      }
      return { replay: { status: row.responseStatus!, text: row.responseBody! } };
    }
    throw conflict(`A request with this ${IDEMPOTENCY_HEADER} is still in progress; retry later`);
  }

  private async finish(claim: KeyClaim, status: number, text: string): Promise<void> {
    try {
      await this.keys.finish(claim, status, text);
    } catch (err) {
      // The work is done: leaving the key in progress (taken over once stale) is safer than a retry redoing it.
      this.logger.warn(`could not store an idempotent answer: ${(err as Error).message}`);
    }
  }

  private async sweep(): Promise<void> {
    try {
      await this.keys.deleteExpired();
    } catch (err) {
      this.logger.warn(`could not sweep expired idempotency keys: ${(err as Error).message}`);
    }
  }
}

/** Which first answers are kept for replay (see the class comment). */
const kept = (status: number): boolean => status < 500 && status !== 409 && status !== 429;
