import { describe, expect, it } from '@jest/globals';
import { reached, secondsUntilUtcMidnight, storageProblem } from './caps.js';

describe('caps', () => {
  it('treats 0 as unlimited', () => {
    expect(reached(1_000_000, 0)).toBe(false);
    expect(reached(2, 3)).toBe(false);
    expect(reached(3, 3)).toBe(true);
  });

  it('counts the seconds to the next midnight UTC', () => {
    expect(secondsUntilUtcMidnight(new Date('2026-11-25T23:59:30.000Z'))).toBe(30);
    expect(secondsUntilUtcMidnight(new Date('2026-11-25T00:00:00.000Z'))).toBe(86_400);
    expect(secondsUntilUtcMidnight(new Date('2026-12-31T23:59:59.900Z'))).toBe(1);
  });

  it('refuses storage growth past the cap but never a write that does not grow', () => {
    expect(storageProblem(1500, 2001, 2000)).toMatch(/2001 bytes.*2000 bytes/);
    expect(storageProblem(1500, 2000, 2000)).toBeNull();
    expect(storageProblem(2500, 2400, 2000)).toBeNull();
    expect(storageProblem(5, 10 ** 12, 0)).toBeNull();
  });
});
