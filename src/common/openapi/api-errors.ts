import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional, ApiResponse } from '@nestjs/swagger';

export class FieldErrorDto {
  @ApiProperty({ example: 'username' })
  field!: string;

  @ApiProperty({ example: 'username must be longer than or equal to 3 characters' })
  message!: string;
}

/** Every error: `{"detail": "…"}`; validation failures add field errors. */
export class ErrorDto {
  @ApiProperty({ example: 'Session not found' })
  detail!: string;

  @ApiPropertyOptional({ type: [FieldErrorDto] })
  errors?: FieldErrorDto[];
}

const MEANING: Record<number, string> = {
  400: 'Malformed request (bad JSON, bad filename, name taken)',
  401: 'Missing, invalid or expired token',
  403: 'The resource belongs to another user, admins only, or your plan’s session cap is reached',
  404: 'Not found',
  409: 'Conflict (an agent turn is already running, or none is, or a restore during a turn; an Idempotency-Key is in progress; the last active admin; another archive import of yours is running)',
  410: 'That version was pruned from the history (SANDBOX_HISTORY_MAX_BYTES)',
  412: 'If-Match does not match the file as it is now',
  413: 'File, sandbox, your storage or file-count cap exceeded, or body too large',
  422: 'Body fails validation (or an Idempotency-Key reused with another body)',
  429: 'Rate limited, too many turns running, or today’s tokens spent (see Retry-After)',
  502: 'The LLM provider failed',
  503: 'LLM provider not configured, or a dependency is down',
};

/** Documents the `{"detail"}` error responses a route can give. */
export const ApiErrors = (...statuses: number[]) =>
  applyDecorators(
    ...[...new Set([429, ...statuses])].map((status) =>
      ApiResponse({ status, description: MEANING[status], type: ErrorDto }),
    ),
  );

/** One error response whose meaning on this route is narrower than the shared one. */
export const ApiErrorMeaning = (status: number, description: string) =>
  ApiResponse({ status, description, type: ErrorDto });

/** Errors of every route under /sessions/{id}: auth, ownership, existence. */
export const ApiSessionErrors = (...more: number[]) => ApiErrors(401, 403, 404, ...more);

export class MessageDto {
  @ApiProperty({ example: 'Session deleted successfully' })
  message!: string;
}
