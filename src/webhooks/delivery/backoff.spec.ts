import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './backoff.js';

describe('retryDelayMs', () => {
  it('doubles from the base after each failed attempt', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 5000))).toEqual([
      5000, 10_000, 20_000, 40_000, 80_000,
    ]);
  });

  it('follows a small base the same way (the tests use one)', () => {
    expect([1, 2, 3].map((n) => retryDelayMs(n, 50))).toEqual([50, 100, 200]);
  });

  it('never waits less than the base', () => {
    expect(retryDelayMs(0, 5000)).toBe(5000);
  });
});
