import type { BlockAwareStorage } from './block-aware.storage.js';

interface Window {
  hits: number;
  expiresAt: number;
  blockedUntil: number;
}

/**
 * Fixed-window counters in memory, the same rule as `RedisThrottlerStorage`: one counter per caller
 * and window, O(1) per request. (The package's default keeps a timestamp per hit and filters them on
 * every request, which grows with the limit.)
 */
export class MemoryThrottlerStorage implements BlockAwareStorage {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string) {
    const now = this.now();
    const id = `${throttlerName}:${key}`;
    let w = this.windows.get(id);
    if (!w) {
      w = { hits: 0, expiresAt: now + ttl, blockedUntil: 0 };
      this.windows.set(id, w);
    } else if (w.expiresAt <= now) {
      w.hits = 0;
      w.expiresAt = now + ttl;
    }
    w.hits += 1;
    if (w.blockedUntil <= now && w.hits > limit) {
      w.blockedUntil = now + (blockDuration > 0 ? blockDuration : ttl);
    }
    const blocked = w.blockedUntil > now;
    return Promise.resolve({
      totalHits: w.hits,
      timeToExpire: Math.ceil((w.expiresAt - now) / 1000),
      isBlocked: blocked,
      timeToBlockExpire: blocked ? Math.ceil((w.blockedUntil - now) / 1000) : 0,
    });
  }

  /** Ms left in the caller's block, 0 when it is not blocked; counts nothing. */
  blockedForMs(key: string, throttlerName: string): Promise<number> {
    const w = this.windows.get(`${throttlerName}:${key}`);
    return Promise.resolve(w ? Math.max(w.blockedUntil - this.now(), 0) : 0);
  }

  private sweep(): void {
    const now = this.now();
    for (const [id, w] of this.windows) {
      if (w.expiresAt <= now && w.blockedUntil <= now) {
        this.windows.delete(id);
      }
    }
  }
}
