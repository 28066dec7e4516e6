import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { ExtractJwt } from 'passport-jwt';
import type { AuthedRequest } from '../../users/authed-request.js';
import { UsersService } from '../../users/users.service.js';
import { looksLikeApiKey } from '../api-keys/api-key-secret.js';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { OidcVerifier } from '../oidc/oidc-verifier.service.js';
import { userFromClaims } from '../strategies/claims-to-user.js';
import { TokenService } from '../token.service.js';
import { AppError, unauthorized } from '../../common/errors/app-error.js';
import { AuthFailureLimiter } from '../../common/throttling/auth-failure-limiter.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { IS_PUBLIC_KEY } from '../../common/decorators/public.decorator.js';
import type { AuthUser } from '../../users/auth-user.js';
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

class OidcAuthGuard extends AuthGuard('oidc') {
  override handleRequest<T = AuthUser>(err: unknown, user: AuthUser | false, info: unknown): T {
    return toAuthUser(err, user, info) as T;
  }
}

const bearer = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * The global guard: every route needs a bearer credential unless it is `@Public()`; preview routes also
 * take `?token=` (through Passport's `preview` strategy). A bearer credential is one of three kinds:
 * an API key (`aeio_…`, told apart by its prefix), an access token of ours (HS256, verified with
 * TokenService directly: it runs on every request, and Passport's per-request machinery cost more
 * than the check), or, when corporate identity is configured and the token is none of ours, an access
 * token of the company's IdP (Passport's `oidc` strategy). Ours is tried before the IdP's, so the hot
 * path never parses a JWKS or touches the network.
 * It answers exactly as passport-jwt did: no token → "Not authenticated"; a bad, expired or non-access
 * token, or a deleted or disabled user → "Could not validate credentials"; a failed lookup passes on.
 * Failed bearer credentials are counted per client address (THROTTLE_AUTH_FAILURE_LIMIT); past the
 * limit every credential that needs a look-up (API key, IdP token) or fails is answered 429 before any
 * look-up. A valid access token of ours still passes: it cannot be guessed, so it costs no guessing.
 */
@Injectable()
export class JwtAuthGuard implements CanActivate {
  private readonly preview = new PreviewAuthGuard();
  private readonly oidc = new OidcAuthGuard();
  private readonly failures: AuthFailureLimiter;

  constructor(
    private readonly reflector: Reflector,
    private readonly tokens: TokenService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    private readonly idp: OidcVerifier,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectThrottlerStorage() storage: ThrottlerStorage,
  ) {
    this.failures = new AuthFailureLimiter(
      storage,
      config.throttle.ttlMs,
      config.throttle.authFailureLimit,
    );
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets)) {
      return true;
    }
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (this.reflector.getAllAndOverride<boolean>(IS_PREVIEW_ROUTE_KEY, targets)) {
      // A key or an IdP token in the header opens a preview as an access token does; in the URL
      // (`?token=`, the tokenised path) only our own tokens count, so those go to the preview strategy.
      const header = typeof req.params?.token === 'string' ? null : bearer(req);
      if (!header || !this.isForeignCredential(header)) {
        return (await this.preview.canActivate(ctx)) as boolean;
      }
    }
    const token = bearer(req);
    if (!token) {
      throw unauthorized('Not authenticated');
    }
    const address = req.ip ?? 'unknown';
    const claims = looksLikeApiKey(token) ? null : this.tokens.verify(token);
    if (claims?.typ !== 'access') {
      await this.failures.refuseIfBlocked(address);
    }
    try {
      return await this.authenticate(ctx, req, token, claims);
    } catch (err) {
      if (err instanceof AppError && err.kind === 'unauthorized') {
        await this.failures.failed(address);
      }
      throw err;
    }
  }

  private async authenticate(
    ctx: ExecutionContext,
    req: AuthedRequest,
    token: string,
    claims: ReturnType<TokenService['verify']>,
  ): Promise<boolean> {
    if (looksLikeApiKey(token)) {
      req.user = toAuthUser(null, await this.apiKeys.authenticate(token), undefined);
      return true;
    }
    if (claims || !this.idp.enabled) {
      const user = claims?.typ === 'access' ? await userFromClaims(this.users, claims) : false;
      req.user = toAuthUser(null, user, undefined);
      return true;
    }
    return (await this.oidc.canActivate(ctx)) as boolean;
  }

  /** An API key, or (with corporate identity on) a token that is not one of ours. */
  private isForeignCredential(token: string): boolean {
    return looksLikeApiKey(token) || (this.idp.enabled && this.tokens.verify(token) === null);
  }
}
