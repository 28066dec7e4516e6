import { describe, expect, it } from '@jest/globals';
import type { BlockAwareStorage } from './block-aware.storage.js';
import { FailoverThrottlerStorage } from './failover-throttler.storage.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';

/** A shared store that can be made to fail, standing in for Redis. */
class FlakyStore implements BlockAwareStorage {
  down = false;
  calls = 0;
  private readonly inner = new MemoryThrottlerStorage(() => 0);
  increment(key: string, ttl: number, limit: number, block: number, name: string) {
    this.calls += 1;
    return this.down
      ? Promise.reject(new Error('Connection is closed.'))
      : this.inner.increment(key, ttl, limit, block, name);
  }
  blockedForMs(key: string, name: string) {
    return this.inner.blockedForMs(key, name);
  }
}

describe('FailoverThrottlerStorage', () => {
  const setUp = () => {
    const shared = new FlakyStore();
    const health = { available: true, failures: 0, failed: () => (health.failures += 1) };
    const storage = new FailoverThrottlerStorage(
      shared,
      new MemoryThrottlerStorage(() => 0),
      health,
    );
    const hit = () => storage.increment('user:1', 1000, 5, 1000, 'default');
    return { shared, health, hit };
  };

  it('counts in the shared store while it is available', async () => {
    const { shared, hit } = setUp();
    await hit();
    expect(await hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(shared.calls).toBe(2);
  });

  it('counts locally, without failing, when a shared count fails', async () => {
    const { shared, health, hit } = setUp();
    shared.down = true;
    expect(await hit()).toMatchObject({ totalHits: 1, isBlocked: false });
    expect(health.failures).toBe(1);
  });

  it('does not touch the shared store while it is unavailable', async () => {
    const { shared, health, hit } = setUp();
    health.available = false;
    await hit();
    await hit();
    expect(shared.calls).toBe(0);
    health.available = true;
    expect(await hit()).toMatchObject({ totalHits: 1 });
    expect(shared.calls).toBe(1);
  });
});
