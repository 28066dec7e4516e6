/** PostgreSQL's SQLSTATE for a unique-constraint violation. */
const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string } } | null;
  return e?.code === UNIQUE_VIOLATION || e?.driverError?.code === UNIQUE_VIOLATION;
}

/** Node socket errors that mean the database server cannot be reached (or went away mid-query). */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/**
 * SQLSTATEs of an unavailable server rather than a bad statement: class 08 (connection exception),
 * 57P01–57P03 (admin/crash shutdown, cannot connect now), 57014 (statement_timeout), 53300 (too many
 * connections) and 25P03 (idle-in-transaction timeout).
 */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '57014', '53300', '25P03']);

/** pg's own messages for a lost connection, a connect timeout, a pool wait timeout, a query timeout. */
const UNAVAILABLE_MESSAGE =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection is not queryable|Cannot use a pool after calling end/i;

/**
 * Whether `err` (raw from pg, or wrapped by TypeORM as `driverError`, or as an Error `cause`) means the
 * database is unreachable or not answering, so the caller should be told to retry (503), not 500.
 */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) {
    return false;
  }
  const e = err as {
    code?: unknown;
    message?: unknown;
    driverError?: unknown;
    cause?: unknown;
    errors?: unknown;
  };
  if (typeof e.code === 'string') {
    if (NETWORK_CODES.has(e.code) || e.code.startsWith('08') || UNAVAILABLE_STATES.has(e.code)) {
      return true;
    }
  }
  if (typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) {
    return true;
  }
  // Node reports a refused connection to a host with several addresses as an AggregateError.
  const nested: unknown[] = [
    e.driverError,
    e.cause,
    ...(Array.isArray(e.errors) ? (e.errors as unknown[]) : []),
  ];
  return nested.some((n) => n !== err && isDatabaseUnavailable(n, depth + 1));
}
