import type { ThrottlerStorage } from '@nestjs/throttler';

/**
 * A throttler storage that can also say whether a caller is blocked without counting a hit: the
 * authentication-failure limit checks this before any credential look-up and counts only failures.
 */
export interface BlockAwareStorage extends ThrottlerStorage {
  /** Ms left in the block of `key` under `throttlerName`, 0 when it is not blocked. */
  blockedForMs(key: string, throttlerName: string): Promise<number>;
}

export const isBlockAware = (storage: ThrottlerStorage): storage is BlockAwareStorage =>
  typeof (storage as Partial<BlockAwareStorage>).blockedForMs === 'function';
