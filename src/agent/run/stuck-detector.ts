/** Consecutive identical (call, result) pairs before the model is warned that it repeats itself (OpenHands: 4). */
export const STUCK_PAIRS = 4;
/** Repetitions of a two-call cycle (A B A B A B) before the warning (OpenHands' alternating pattern: 3). */
export const STUCK_CYCLES = 3;

export const STUCK_WARNING =
  'You have made the same calls with the same results several times in a row. They will not give a ' +
  'different answer. Change your approach; if you repeat them again, the turn will be stopped.';

/**
 * Judges repeating patterns of (call, result) pairs, not calls alone, so read → edit → read of one file
 * goes on while the file changes. Two patterns count: one pair repeated (A A A A) and two pairs
 * alternating (A B A B A B, e.g. read a file, fail the same edit, read it again). The first time a
 * pattern is complete the model is warned; the call the pattern predicts next, made right after the
 * warning, or any complete pattern later in the turn, is stuck.
 */
export class StuckDetector {
  private readonly pairs: { call: string; pair: string }[] = [];
  private warned = false;
  /** The call the pattern predicts after the warning; made next, it stops the turn. */
  private warnedCall: string | null = null;

  /** Before running a call: true when it is the call the model was just warned it keeps repeating. */
  repeatsWarnedCall(call: string): boolean {
    if (call === this.warnedCall) {
      return true;
    }
    this.warnedCall = null;
    return false;
  }

  /** After a call: `warn` to add the warning to its result, `stop` when the turn must end. */
  judge(call: string, result: string): 'ok' | 'warn' | 'stop' {
    this.pairs.push({ call, pair: `${call}\u0000${result}` });
    if (this.pairs.length > 2 * STUCK_CYCLES) {
      this.pairs.shift();
    }
    const period = this.period();
    if (period === 0) {
      return 'ok';
    }
    if (this.warned) {
      return 'stop';
    }
    this.warned = true;
    this.warnedCall = this.pairs[this.pairs.length - period].call;
    // Judged afresh from here: the warned pattern does not count twice.
    this.pairs.length = 0;
    return 'warn';
  }

  /** 1 or 2 when the latest pairs repeat with that period, else 0. */
  private period(): number {
    const p = this.pairs.map((x) => x.pair);
    const n = p.length;
    if (n >= STUCK_PAIRS && p.slice(n - STUCK_PAIRS).every((x) => x === p[n - 1])) {
      return 1;
    }
    const cycle = 2 * STUCK_CYCLES;
    if (n >= cycle && p[n - 1] !== p[n - 2]) {
      const tail = p.slice(n - cycle);
      if (tail.every((x, i) => x === tail[i % 2])) {
        return 2;
      }
    }
    return 0;
  }
}
