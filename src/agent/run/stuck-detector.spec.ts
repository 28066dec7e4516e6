import { describe, expect, it } from '@jest/globals';
import { StuckDetector } from './stuck-detector.js';

const run = (d: StuckDetector, pairs: [string, string][]) => pairs.map(([c, r]) => d.judge(c, r));

describe('StuckDetector', () => {
  it('warns at the fourth identical pair in a row and flags the same call right after it', () => {
    const d = new StuckDetector();
    expect(run(d, Array(4).fill(['read a', 'x']))).toEqual(['ok', 'ok', 'ok', 'warn']);
    expect(d.repeatsWarnedCall('read a')).toBe(true);
  });

  it('lets the model go on after the warning with another call', () => {
    const d = new StuckDetector();
    run(d, Array(4).fill(['read a', 'x']));
    expect(d.repeatsWarnedCall('read b')).toBe(false);
    // The warned call is no longer "right after" once another call came between.
    expect(d.repeatsWarnedCall('read a')).toBe(false);
  });

  it('stops at a second run of four identical pairs later in the turn', () => {
    const d = new StuckDetector();
    run(d, Array(4).fill(['list', '[]']));
    expect(run(d, [['read b', 'y'], ...Array(4).fill(['list', '[]'])])).toEqual([
      'ok',
      'ok',
      'ok',
      'ok',
      'stop',
    ]);
  });

  it('does not count the same call with a different result', () => {
    const d = new StuckDetector();
    expect(
      run(d, [
        ['read a', '1'],
        ['read a', '2'],
        ['read a', '3'],
        ['read a', '4'],
        ['read a', '5'],
      ]),
    ).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
  });
});

describe('StuckDetector, two-call cycles', () => {
  it('warns at the third repetition of A B and flags A right after it', () => {
    const d = new StuckDetector();
    const cycle: [string, string][] = [
      ['read a', 'x'],
      ['edit a', 'not found'],
    ];
    expect(run(d, [...cycle, ...cycle, ...cycle])).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'warn']);
    expect(d.repeatsWarnedCall('read a')).toBe(true);
  });

  it('stops at a second complete cycle after the warning', () => {
    const d = new StuckDetector();
    const cycle: [string, string][] = [
      ['read a', 'x'],
      ['edit a', 'not found'],
    ];
    run(d, [...cycle, ...cycle, ...cycle]);
    expect(d.repeatsWarnedCall('list')).toBe(false);
    expect(run(d, [['list', '[]'], ...cycle, ...cycle, ...cycle]).at(-1)).toBe('stop');
  });

  it('does not count a cycle whose results change', () => {
    const d = new StuckDetector();
    const pairs: [string, string][] = [1, 2, 3].flatMap((n) => [
      ['read a', `v${n}`] as [string, string],
      ['edit a', 'ok'] as [string, string],
    ]);
    expect(run(d, pairs)).toEqual(Array(6).fill('ok'));
  });
});
