import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { OwnedSession, SessionRequest } from './owned-session.js';

/** The session `SessionOwnerGuard` resolved and checked for this request. */
export const CurrentSession = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): OwnedSession => {
    const session = ctx.switchToHttp().getRequest<SessionRequest>().ownedSession;
    if (!session) {
      throw new Error('CurrentSession used on a route without SessionOwnerGuard');
    }
    return session;
  },
);
