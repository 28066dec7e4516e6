import type { TierCaps } from '../config/app-config.js';

/** What a user holds and runs now; the keys of `GET /api/auth/me`'s `usage` and `limits`. */
export interface UsageFigures {
  sessions: number;
  storage_bytes: number;
  running: number;
  tokens_today: number;
}

/** A tier's caps under the public names (0 = unlimited). */
export const limitsView = (caps: TierCaps): UsageFigures => ({
  sessions: caps.sessions,
  storage_bytes: caps.storageBytes,
  running: caps.concurrentRuns,
  tokens_today: caps.tokensPerDay,
});

/** True when `used` has reached a cap; a cap of 0 is never reached. */
export const reached = (used: number, cap: number): boolean => cap > 0 && used >= cap;

/** Seconds from `now` to the next midnight UTC, at least 1: when the day's token budget comes back. */
export function secondsUntilUtcMidnight(now: Date): number {
  const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
  return Math.max(1, Math.ceil((midnight - now.getTime()) / 1000));
}

/** Why a write that takes the user from `before` to `after` bytes does not fit, or null. */
export function storageProblem(before: number, after: number, cap: number): string | null {
  if (cap > 0 && after > before && after > cap) {
    return `Your sandboxes would hold ${after} bytes; your plan allows ${cap} bytes across all sessions`;
  }
  return null;
}
