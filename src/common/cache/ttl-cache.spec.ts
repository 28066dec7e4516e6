import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('returns what was set until it expires', () => {
    let now = 1000;
    const cache = new TtlCache<string, number>(100, 10, () => now);
    cache.set('a', 1);
    expect(cache.get('a')).toBe(1);
    now = 1099;
    expect(cache.get('a')).toBe(1);
    now = 1100;
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('drops the oldest entry when full', () => {
    const cache = new TtlCache<number, string>(10_000, 2);
    cache.set(1, 'one');
    cache.set(2, 'two');
    cache.set(3, 'three');
    expect(cache.get(1)).toBeUndefined();
    expect(cache.get(2)).toBe('two');
    expect(cache.get(3)).toBe('three');
  });

  it('forgets a deleted entry and renews one set again', () => {
    let now = 0;
    const cache = new TtlCache<string, number>(100, 10, () => now);
    cache.set('a', 1);
    cache.delete('a');
    expect(cache.get('a')).toBeUndefined();
    cache.set('b', 1);
    now = 90;
    cache.set('b', 2);
    now = 150;
    expect(cache.get('b')).toBe(2);
  });
});
