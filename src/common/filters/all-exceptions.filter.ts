import {
  Catch,
  HttpException,
  HttpStatus,
  Logger,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AppError, type FieldError } from '../errors/app-error.js';
import { statusOf } from '../errors/error-status.js';
import { isDatabaseUnavailable } from '../../database/pg-errors.js';

interface ErrorBody {
  detail: string;
  errors?: FieldError[];
}

const GENERIC: Record<number, string> = {
  400: 'Bad request',
  401: 'Not authenticated',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  413: 'Request body too large',
  415: 'Unsupported media type',
  429: 'Too many requests',
};

/** The one place errors become `{"detail": …}`; unexpected ones are logged with their stack and hidden. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');
  private lastOutageWarning = 0;

  constructor(private readonly adapterHost: HttpAdapterHost) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    // Through Nest's adapter: it knows how to answer on a Fastify reply.
    const http = this.adapterHost.httpAdapter;
    const res: unknown = host.switchToHttp().getResponse();
    const exception = this.unavailable(thrown) ?? thrown;
    const [status, body] = this.toResponse(exception);
    if (status >= 500 && !(exception instanceof AppError)) {
      const err = exception instanceof Error ? exception : new Error(String(exception));
      this.logger.error(`Unhandled error: ${err.message}`, err.stack);
    }
    if (http.isHeadersSent(res)) {
      http.end(res);
      return;
    }
    if (exception instanceof AppError && exception.headers) {
      for (const [name, value] of Object.entries(exception.headers)) {
        http.setHeader(res, name, value);
      }
    }
    http.reply(res, body, status);
  }

  /**
   * A database that cannot be reached is an outage the client should retry through, not a bug: 503,
   * logged at most every 10 s rather than once per request.
   */
  private unavailable(exception: unknown): AppError | undefined {
    if (exception instanceof AppError || exception instanceof HttpException) {
      return undefined;
    }
    if (!isDatabaseUnavailable(exception)) {
      return undefined;
    }
    if (Date.now() - this.lastOutageWarning > 10_000) {
      this.lastOutageWarning = Date.now();
      this.logger.warn(`Database unavailable: ${(exception as Error).message}`);
    }
    return new AppError('unavailable', 'Database unavailable; retry shortly');
  }

  private toResponse(exception: unknown): [number, ErrorBody] {
    if (exception instanceof AppError) {
      const body: ErrorBody = { detail: exception.message };
      if (exception.errors) {
        body.errors = exception.errors;
      }
      return [statusOf(exception.kind), body];
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return [status, { detail: this.httpDetail(exception, status) }];
    }
    return [HttpStatus.INTERNAL_SERVER_ERROR, { detail: 'Internal server error' }];
  }

  /** Nest's own exceptions: keep their message where it is ours to show, else a generic one. */
  private httpDetail(exception: HttpException, status: number): string {
    // Body parser failures arrive wrapped, their parser text as message: say it plainly.
    if (exception.cause instanceof SyntaxError) {
      return 'Malformed JSON in request body';
    }
    if (exception.cause instanceof URIError || codeOf(exception.cause) === 'FST_ERR_BAD_URL') {
      return 'Malformed percent-encoding in URL';
    }
    if (exception.cause && GENERIC[status]) {
      return GENERIC[status];
    }
    if (status === 404) {
      return 'Not found';
    }
    const response = exception.getResponse();
    const message =
      typeof response === 'string' ? response : (response as { message?: unknown }).message;
    if (typeof message === 'string' && status < 500) {
      return message;
    }
    return GENERIC[status] ?? 'Internal server error';
  }
}

/** The `code` of a Fastify error (`FST_ERR_…`), if it is one. */
const codeOf = (cause: unknown): unknown =>
  typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined;
