import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { SessionRequest } from './owned-session.js';
import { SessionsService } from './sessions.service.js';

/** Guards every `/sessions/:id/...` route: unknown session → 404, someone else's → 403. */
@Injectable()
export class SessionOwnerGuard implements CanActivate {
  constructor(private readonly sessions: SessionsService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<SessionRequest>();
    req.ownedSession = await this.sessions.assertOwner(req.user.id, String(req.params.id));
    return true;
  }
}
