import { describe, expect, it } from '@jest/globals';
import { ToolCallSlots } from './tool-call-slots.js';

describe('ToolCallSlots', () => {
  it('follows OpenAI: index on every piece, the id on the first', () => {
    const s = new ToolCallSlots();
    expect([s.slotOf(0, 'a'), s.slotOf(0, null), s.slotOf(1, 'b'), s.slotOf(1, undefined)]).toEqual(
      [0, 0, 1, 1],
    );
  });

  it('tells Gemini’s index-less calls apart by id', () => {
    const s = new ToolCallSlots();
    expect([s.slotOf(undefined, 'x'), s.slotOf(undefined, 'y'), s.slotOf(undefined, '')]).toEqual([
      0, 1, 1,
    ]);
  });

  it('starts a new call for a new id at an index already used', () => {
    const s = new ToolCallSlots();
    expect([s.slotOf(0, 'a'), s.slotOf(0, null), s.slotOf(0, 'b'), s.slotOf(0, null)]).toEqual([
      0, 0, 1, 1,
    ]);
  });

  it('keeps a call whose id comes again on later pieces', () => {
    const s = new ToolCallSlots();
    expect([s.slotOf(0, 'a'), s.slotOf(1, 'b'), s.slotOf(0, 'a')]).toEqual([0, 1, 0]);
  });
});
