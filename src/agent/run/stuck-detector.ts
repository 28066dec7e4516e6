/** Consecutive identical (call, result) pairs before the model is warned that it repeats itself (OpenHands: 4). */
export const STUCK_PAIRS = 4;

export const STUCK_WARNING =
  'You have made this exact call with this exact result several times in a row. It will not give a ' +
  'different answer. Change your approach; if you make the same call again, the turn will be stopped.';

/**
 * Judges consecutive identical (call, result) pairs, not calls alone, so read → edit → read of one file
 * goes on. The fourth pair in a row earns one warning; the same call right after it, or a second run of
 * four later in the turn, is stuck.
 */
export class StuckDetector {
  private streak = { pair: '', count: 0 };
  private warned = false;
  /** The call the model was warned about; made again at once, it stops the turn. */
  private warnedCall: string | null = null;

  /** Before running a call: true when it repeats the call the model was just warned about. */
  repeatsWarnedCall(call: string): boolean {
    if (call === this.warnedCall) {
      return true;
    }
    this.warnedCall = null;
    return false;
  }

  /** After a call: `warn` to add the warning to its result, `stop` when the turn must end. */
  judge(call: string, result: string): 'ok' | 'warn' | 'stop' {
    const pair = `${call}\u0000${result}`;
    this.streak =
      pair === this.streak.pair ? { pair, count: this.streak.count + 1 } : { pair, count: 1 };
    if (this.streak.count < STUCK_PAIRS) {
      return 'ok';
    }
    if (this.warned) {
      return 'stop';
    }
    this.warned = true;
    this.warnedCall = call;
    return 'warn';
  }
}
