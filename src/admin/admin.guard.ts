import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../auth/auth-user.js';
import { forbidden } from '../common/errors/app-error.js';
import type { AuthedRequest } from '../common/http/authed-request.js';

/** The admin rule, shared by the guard and by AdminService so a caller that skips the guard still meets it. */
export function assertAdmin(user: AuthUser | undefined): void {
  if (user?.role !== 'admin') {
    throw forbidden('Admin access required');
  }
}

/** Runs after the global JWT guard, so `req.user` (reloaded from the database per request) is known. */
@Injectable()
export class AdminGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    assertAdmin(ctx.switchToHttp().getRequest<AuthedRequest>().user);
    return true;
  }
}
