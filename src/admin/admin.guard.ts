import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { AuthUser } from '../users/auth-user.js';
import { forbidden } from '../common/errors/app-error.js';
import type { AuthedRequest } from '../users/authed-request.js';
import { UsersService } from '../users/users.service.js';

/** The admin rule, shared by the guard and by AdminService so a caller that skips the guard still meets it. */
export function assertAdmin(user: AuthUser | undefined): void {
  if (user?.role !== 'admin') {
    throw forbidden('Admin access required');
  }
}

/**
 * Runs after the global JWT guard. The user on the request may come from the few-second auth cache;
 * a privilege check reads the role fresh, so a promotion or demotion (API, SQL or `admin:promote`)
 * counts at once.
 */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const fresh = req.user ? await this.users.findById(req.user.id) : null;
    if (fresh && !fresh.disabled) {
      req.user = { ...req.user, role: fresh.role, tier: fresh.tier };
    }
    assertAdmin(fresh && !fresh.disabled ? req.user : undefined);
    return true;
  }
}
