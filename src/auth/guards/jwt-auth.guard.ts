import { Injectable, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { unauthorized } from '../../common/errors/app-error.js';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';
import type { AuthUser } from '../auth-user.js';
import { IS_PREVIEW_ROUTE_KEY } from './preview-route.decorator.js';

/**
 * `err` is what the strategy's lookup threw (e.g. the database is down): it goes on to the filter as it
 * is (503), since answering 401 would tell a client with a good token that its token is bad.
 */
function toAuthUser(err: unknown, user: AuthUser | false | undefined, info: unknown): AuthUser {
  if (err) {
    throw err instanceof Error ? err : new Error('authentication failed');
  }
  if (!user) {
    const missing = info instanceof Error && info.message === 'No auth token';
    throw unauthorized(missing ? 'Not authenticated' : 'Could not validate credentials');
  }
  return user;
}

class PreviewAuthGuard extends AuthGuard('preview') {
  override handleRequest<T = AuthUser>(err: unknown, user: AuthUser | false, info: unknown): T {
    return toAuthUser(err, user, info) as T;
  }
}

/** The global guard: every route needs an access token unless it is `@Public()`; preview routes also take `?token=`. */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  private readonly preview = new PreviewAuthGuard();

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(ctx: ExecutionContext) {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PREVIEW_ROUTE_KEY, targets)) {
      return this.preview.canActivate(ctx);
    }
    return super.canActivate(ctx);
  }

  override handleRequest<T = AuthUser>(err: unknown, user: AuthUser | false, info: unknown): T {
    return toAuthUser(err, user, info) as T;
  }
}
