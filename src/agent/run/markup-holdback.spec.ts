import { describe, expect, it } from '@jest/globals';
import { MarkupHoldback } from './markup-holdback.js';

/** Streams `deltas` through a holdback and returns what was shown, joined. */
function shownOf(deltas: string[]): { text: string; holdback: MarkupHoldback } {
  const holdback = new MarkupHoldback();
  const text = deltas.map((d) => holdback.push(d)).join('');
  return { text, holdback };
}

describe('MarkupHoldback', () => {
  it('shows plain text as it comes', () => {
    const { text, holdback } = shownOf(['Hello', ', ', 'world']);
    expect(text).toBe('Hello, world');
    expect(holdback.shown).toBe(12);
  });

  it('holds back a possible start of markup until the next delta settles it', () => {
    const holdback = new MarkupHoldback();
    expect(holdback.push('a <to')).toBe('a ');
    expect(holdback.push('p> b')).toBe('<top> b');
    expect(holdback.push('x <func')).toBe('x ');
    expect(holdback.held).toBe(5);
  });

  it('shows nothing from markup split across deltas on', () => {
    const { text, holdback } = shownOf([
      'Writing.\n<tool',
      '_call>\n{"name": ',
      '"a"}</tool_call>',
    ]);
    expect(text).toBe('Writing.\n');
    expect(holdback.shown).toBe(9);
    expect(shownOf(['x<function=write_file>', 'more']).text).toBe('x');
  });

  it('examines each delta once plus a bounded tail, however long the answer (linear work)', () => {
    const holdback = new MarkupHoldback();
    const deltas = 200_000;
    let total = 0;
    let maxHeld = 0;
    for (let i = 0; i < deltas; i++) {
      // Every delta ends in a '<' that may start markup, so something is held back each time.
      const delta = i % 2 ? `${i}<tool` : `${i}<`;
      total += delta.length;
      holdback.push(delta);
      maxHeld = Math.max(maxHeld, holdback.held);
    }
    // A marker is 11 characters: at most 10 of a possible start stay held and are looked at again.
    expect(maxHeld).toBeLessThanOrEqual(10);
    expect(holdback.scanned).toBeLessThanOrEqual(total + 10 * deltas);
    expect(holdback.shown + holdback.held).toBe(total);
  });
});
