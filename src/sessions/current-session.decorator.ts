import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthedRequest } from '../common/http/authed-request.js';
import type { OwnedSession } from './sessions.service.js';

/** The session `SessionOwnerGuard` resolved and checked for this request. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): OwnedSession => {
    const session = ctx.switchToHttp().getRequest<AuthedRequest>().ownedSession;
    if (!session) {
      throw new Error('CurrentSession used on a route without SessionOwnerGuard');
    }
    return session;
  },
);
