import { describe, expect, it } from '@jest/globals';
import {
  randomUsername,
  toValidUsername,
  usernameCandidates,
  withSuffix,
} from './username-rule.js';

const VALID = /^[A-Za-z0-9_.-]{3,50}$/;

describe('username rule', () => {
  it.each([
    ['jane.doe', 'jane.doe'],
    ['José Núñez', 'Jose_Nunez'],
    ['  spaced  out  ', 'spaced_out'],
    ['ab', 'ab_'],
    ['x', 'x__'],
    ['a/b\\c:d', 'a_b_c_d'],
    ['Ünïcödé-Ok_1', 'Unicode-Ok_1'],
  ])('makes %j the valid username %j', (input, expected) => {
    expect(toValidUsername(input)).toBe(expected);
    expect(expected).toMatch(VALID);
  });

  it.each([[''], ['   '], ['漢字'], ['@@@']])('finds nothing usable in %j', (input) => {
    expect(toValidUsername(input)).toBeNull();
  });

  it('cuts long names to 50 characters', () => {
    const name = toValidUsername('a'.repeat(80))!;
    expect(name).toHaveLength(50);
    expect(name).toMatch(VALID);
  });

  it('suffixes within 50 characters', () => {
    const long = 'b'.repeat(50);
    expect(withSuffix(long, '-2')).toBe(`${'b'.repeat(48)}-2`);
    expect(withSuffix('jane', '-12')).toBe('jane-12');
  });

  it('offers the base first, then numbered names, all valid and distinct', () => {
    const names = usernameCandidates('c'.repeat(50), 20);
    expect(names[0]).toBe('c'.repeat(50));
    expect(names[1]).toBe(`${'c'.repeat(48)}-2`);
    expect(names[19]).toBe(`${'c'.repeat(47)}-20`);
    expect(new Set(names.map((n) => n.toLowerCase())).size).toBe(20);
    for (const n of names) {
      expect(n).toMatch(VALID);
    }
  });

  it('makes random fallbacks that are valid and differ', () => {
    const a = randomUsername('jane');
    expect(a).toMatch(/^jane-[0-9a-f]{8}$/);
    expect(randomUsername('jane')).not.toBe(a);
  });
});
