import { streamableLength } from './text-tool-calls.js';

const MARKUP_START = /^<(?:tool_call>|function=)/;

/**
 * Decides, delta by delta, which streamed answer text the user may see: a trailing piece that may
 * start tool-call markup ("<tool", "<func") is held back until the next delta settles it, and nothing
 * from the markup on is shown. Only the unsent tail (at most a marker's length) plus the new delta is
 * ever looked at, never the accumulated answer: slicing the whole answer on every delta made V8
 * flatten that string each time, which turned a 250 000-delta answer quadratic (minutes instead of
 * seconds).
 */
export class MarkupHoldback {
  /** Received, not shown: at most a possible start of markup (dropped once markup is found). */
  private pending = '';
  private markup = false;
  /** Characters shown so far, a prefix of the streamed answer. */
  shown = 0;
  /** Characters examined so far; a test bounds it by the deltas' own length. */
  scanned = 0;

  /** The piece of text that can be shown after this delta ('' when none). */
  push(delta: string): string {
    if (this.markup) {
      return '';
    }
    const tail = this.pending + delta;
    this.scanned += tail.length;
    const end = streamableLength(tail);
    this.markup = end < tail.length && MARKUP_START.test(tail.slice(end, end + 11));
    this.pending = this.markup ? '' : tail.slice(end);
    this.shown += end;
    return tail.slice(0, end);
  }

  /** Text held back right now (tests bound it). */
  get held(): number {
    return this.pending.length;
  }
}
