import type { BlockAwareStorage } from './block-aware.storage.js';
import type { Redis } from 'ioredis';

/**
 * Counts hits and blocks in one atomic script: KEYS[1] the window's hit counter, KEYS[2] the block flag.
 * ARGV: window ms, limit, block ms. Returns hits, ms left in the window, blocked (0/1), ms left blocked.
 */
const INCREMENT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
local blockTtl = redis.call('PTTL', KEYS[2])
if blockTtl > 0 then return {hits, ttl, 1, blockTtl} end
if hits > tonumber(ARGV[2]) then
  redis.call('SET', KEYS[2], '1', 'PX', ARGV[3])
  return {hits, ttl, 1, tonumber(ARGV[3])}
end
return {hits, ttl, 0, 0}
`;

/**
 * Rate-limit counters in Redis, so a limit holds across replicas. Written here rather than taken from
 * `@nest-lab/throttler-storage-redis`, whose peer range stops at Nest 11.
 */
export class RedisThrottlerStorage implements BlockAwareStorage {
  constructor(
    private readonly redis: Redis,
    private readonly prefix = 'aeio:throttle:',
  ) {}

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
    throttlerName: string,
  ) {
    const base = `${this.prefix}${throttlerName}:${key}`;
    const [hits, ttlMs, blocked, blockMs] = (await this.redis.eval(
      INCREMENT,
      2,
      `${base}:hits`,
      `${base}:block`,
      ttl,
      limit,
      blockDuration > 0 ? blockDuration : ttl,
    )) as [number, number, number, number];
    return {
      totalHits: hits,
      timeToExpire: Math.ceil(Math.max(ttlMs, 0) / 1000),
      isBlocked: blocked === 1,
      timeToBlockExpire: Math.ceil(Math.max(blockMs, 0) / 1000),
    };
  }

  /** Ms left in the caller's block, 0 when it is not blocked; counts nothing. */
  async blockedForMs(key: string, throttlerName: string): Promise<number> {
    const ms = await this.redis.pttl(`${this.prefix}${throttlerName}:${key}:block`);
    return Math.max(ms, 0);
  }
}
