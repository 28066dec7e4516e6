import type { ThrottlerStorage } from '@nestjs/throttler';
import type { BlockAwareStorage } from './block-aware.storage.js';

type Record_ = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** What the failover needs to know of the shared store's health (see `RedisConnection`). */
export interface SharedStoreHealth {
  readonly available: boolean;
  failed(err: Error): void;
}

/**
 * Counts in the shared store while it is available and in this replica's memory while it is not, so an
 * outage of the shared store neither fails requests nor slows them: limits then hold per replica
 * (fail open) until it is back. A request whose shared count fails is counted locally instead.
 */
export class FailoverThrottlerStorage implements BlockAwareStorage {
  constructor(
    private readonly shared: BlockAwareStorage,
    private readonly local: BlockAwareStorage,
    private readonly health: SharedStoreHealth,
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ): Promise<Record_> {
    if (this.health.available) {
      try {
        return await this.shared.increment(key, ttl, limit, blockDuration, throttlerName);
      } catch (err) {
        this.health.failed(err as Error);
      }
    }
    return this.local.increment(key, ttl, limit, blockDuration, throttlerName);
  }

  async blockedForMs(key: string, throttlerName: string): Promise<number> {
    if (this.health.available) {
      try {
        return await this.shared.blockedForMs(key, throttlerName);
      } catch (err) {
        this.health.failed(err as Error);
      }
    }
    return this.local.blockedForMs(key, throttlerName);
  }
}
