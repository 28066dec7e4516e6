/**
 * How long to wait after failed attempt number `attempt` (from 1) before the next one:
 * `baseMs × 2^(attempt − 1)`, so with the defaults (5 s, 6 attempts) 5, 10, 20, 40 and 80 s.
 */
export function retryDelayMs(attempt: number, baseMs: number): number {
  return baseMs * 2 ** Math.max(0, attempt - 1);
}
