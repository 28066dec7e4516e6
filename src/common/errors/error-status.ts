import { HttpStatus } from '@nestjs/common';
import type { AppErrorKind } from './app-error.js';

export function statusOf(kind: AppErrorKind): number {
  switch (kind) {
    case 'bad_request':
      return HttpStatus.BAD_REQUEST;
    case 'unauthorized':
      return HttpStatus.UNAUTHORIZED;
    case 'forbidden':
      return HttpStatus.FORBIDDEN;
    case 'not_found':
      return HttpStatus.NOT_FOUND;
    case 'conflict':
      return HttpStatus.CONFLICT;
    case 'gone':
      return HttpStatus.GONE;
    case 'precondition_failed':
      return HttpStatus.PRECONDITION_FAILED;
    case 'payload_too_large':
      return HttpStatus.PAYLOAD_TOO_LARGE;
    case 'validation':
      return HttpStatus.UNPROCESSABLE_ENTITY;
    case 'rate_limited':
      return HttpStatus.TOO_MANY_REQUESTS;
    case 'provider_failed':
      return HttpStatus.BAD_GATEWAY;
    case 'unavailable':
      return HttpStatus.SERVICE_UNAVAILABLE;
  }
}
