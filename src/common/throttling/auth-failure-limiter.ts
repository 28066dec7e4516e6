import type { ThrottlerStorage } from '@nestjs/throttler';
import { rateLimited } from '../errors/app-error.js';
import { isBlockAware } from './block-aware.storage.js';

/** The throttler name of the failure counters, apart from the per-user `default` ones. */
const AUTH_FAILURES = 'auth-failures';

const refused = (seconds: number) =>
  rateLimited('Too many failed authentication attempts; retry later', Math.max(seconds, 1));

/**
 * Failed bearer authentications per client address, in the throttler's own storage (memory, or Redis
 * shared by every replica): past `limit` failures in one window the address is refused with 429 for
 * the rest of it, before any credential is looked up, so guessing API keys costs the guesser and not
 * the database. Only failures count: a client with a good credential never spends this.
 */
export class AuthFailureLimiter {
  constructor(
    private readonly storage: ThrottlerStorage,
    private readonly windowMs: number,
    private readonly limit: number,
  ) {}

  /** Throws 429 (with Retry-After) while `address` is blocked; counts nothing. */
  async refuseIfBlocked(address: string): Promise<void> {
    if (!isBlockAware(this.storage)) {
      return;
    }
    const ms = await this.storage.blockedForMs(`ip:${address}`, AUTH_FAILURES);
    if (ms > 0) {
      throw refused(Math.ceil(ms / 1000));
    }
  }

  /** Counts one failure of `address`; throws 429 instead of the 401 once it reaches the block. */
  async failed(address: string): Promise<void> {
    const { isBlocked, timeToBlockExpire } = await this.storage.increment(
      `ip:${address}`,
      this.windowMs,
      this.limit,
      this.windowMs,
      AUTH_FAILURES,
    );
    if (isBlocked) {
      throw refused(timeToBlockExpire);
    }
  }
}
