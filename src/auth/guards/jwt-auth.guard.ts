import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import type { AuthedRequest } from '../authed-request.js';
import { UsersService } from '../../users/users.service.js';
import { userFromClaims } from '../strategies/claims-to-user.js';
import { TokenService } from '../token.service.js';
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

const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * The global guard: every route needs an access token unless it is `@Public()`; preview routes also take
 * `?token=` (through Passport's `preview` strategy). The access-token path verifies with TokenService
 * directly: it runs on every request, and Passport's per-request machinery cost more than the check.
 * It answers exactly as passport-jwt did: no token → "Not authenticated"; a bad, expired or non-access
 * token, or a deleted or disabled user → "Could not validate credentials"; a failed lookup passes on.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly preview = new PreviewAuthGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    if (this.reflector.getAllAndOverride<boolean>(IS_PREVIEW_ROUTE_KEY, targets)) {
      return (await this.preview.canActivate(ctx)) as boolean;
    }
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = bearer(req);
    if (!token) {
      throw unauthorized('Not authenticated');
    }
    const claims = this.tokens.verify(token);
    const user = claims?.typ === 'access' ? await userFromClaims(this.users, claims) : false;
    req.user = toAuthUser(null, user, undefined);
    return true;
  }
}
