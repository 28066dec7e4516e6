import { describe, expect, it } from '@jest/globals';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

describe('MemoryThrottlerStorage', () => {
  it('counts hits in a fixed window and blocks past the limit until the block ends', async () => {
    let now = 0;
    const storage = new MemoryThrottlerStorage(() => now);
    const hit = () => storage.increment('user:1', 1000, 2, 1000, 'default');
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false, timeToExpire: 1 });
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(await hit()).toMatchObject({ totalHits: 3, isBlocked: true, timeToBlockExpire: 1 });
    now = 500;
    expect(await hit()).toMatchObject({ isBlocked: true });
    now = 1000;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
  });

  it('keeps callers and throttlers apart', async () => {
    const storage = new MemoryThrottlerStorage(() => 0);
    await storage.increment('user:1', 1000, 1, 1000, 'default');
    expect(await storage.increment('user:2', 1000, 1, 1000, 'default')).toMatchObject({
      totalHits: 1,
    });
    expect(await storage.increment('user:1', 1000, 1, 1000, 'other')).toMatchObject({
      totalHits: 1,
    });
  });
});
