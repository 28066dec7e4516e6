/** The kinds of failure a service may report; the global filter maps each to one HTTP status. */
export type AppErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'precondition_failed'
  | 'payload_too_large'
  | 'validation'
  | 'rate_limited'
  | 'provider_failed'
  | 'unavailable';

export interface FieldError {
  field: string;
  message: string;
}

/** A failure the client can act on; its message is safe to show as `detail`. */
export class AppError extends Error {
  constructor(
    readonly kind: AppErrorKind,
    message: string,
    readonly errors?: FieldError[],
    /** Response headers the answer must carry (e.g. Retry-After). */
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (message: string) => new AppError('bad_request', message);
export const unauthorized = (message = 'Could not validate credentials') =>
  new AppError('unauthorized', message);
export const forbidden = (message: string) => new AppError('forbidden', message);
export const notFound = (message: string) => new AppError('not_found', message);
export const conflict = (message: string) => new AppError('conflict', message);
/** 410: the thing existed but is kept no more (a pruned version). */
export const gone = (message: string) => new AppError('gone', message);
/** 412: an `If-Match` that no longer matches. */
export const preconditionFailed = (message: string) => new AppError('precondition_failed', message);
export const payloadTooLarge = (message: string) => new AppError('payload_too_large', message);
/** 429; with `retryAfterSec`, the answer says when to try again (`Retry-After`). */
export const rateLimited = (message: string, retryAfterSec?: number) =>
  new AppError(
    'rate_limited',
    message,
    undefined,
    retryAfterSec === undefined ? undefined : { 'Retry-After': String(retryAfterSec) },
  );
export const validationFailed = (message: string) => new AppError('validation', message);
