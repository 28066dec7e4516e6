import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type FlattenedJWSInput,
  type CryptoKey,
} from 'jose';
import { AppError } from '../../common/errors/app-error.js';
import type { OidcConfig, AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';

/** Only asymmetric algorithms: an HS256 token "signed" with the IdP's public key is refused. */
const ALGORITHMS = ['RS256', 'ES256'];
/** Seconds of clock difference with the IdP tolerated on `exp` and `nbf`. */
const CLOCK_TOLERANCE_SEC = 10;

/** jose's codes for a token that is bad (→ 401); any other failure is the IdP being unreachable (→ 503). */
const BAD_TOKEN = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

const unavailable = () =>
  new AppError('unavailable', 'Identity provider unavailable; retry shortly');

const isBadToken = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && BAD_TOKEN.has(code);
};

/**
 * Verifies access tokens of the company's identity provider against its JWKS. jose caches the key set,
 * refetches it when a token names a `kid` it does not hold, but never twice within the cooldown (60 s
 * by default), so a stream of made-up `kid`s cannot turn into a stream of requests to the IdP.
 * jose starts that cooldown only on a successful fetch: while the IdP fails, each request would fetch
 * again. So a failed fetch starts a cooldown of its own, during which nothing is fetched: a key the
 * (still fresh) cached set holds verifies from it, anything else answers 503 at once.
 */
@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private readonly config: OidcConfig | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;
  /** Until when no fetch is made after one failed (ms since the epoch). */
  private quietUntil = 0;
  /** The key set jose held when a fetch failed, to verify from while quiet (null: none fresh). */
  private cached: ReturnType<typeof createLocalJWKSet> | null = null;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.config = config.auth.oidc;
    this.jwks = this.config
      ? createRemoteJWKSet(new URL(this.config.jwksUrl), {
          cooldownDuration: this.config.jwksCooldownMs,
          timeoutDuration: 5000,
        })
      : null;
  }

  get enabled(): boolean {
    return this.jwks !== null;
  }

  get usernameClaim(): string {
    return this.config?.usernameClaim ?? 'preferred_username';
  }

  /** The verified claims, or null for a token that is not a valid one of the IdP's. */
  async verify(token: string): Promise<JWTPayload | null> {
    if (!this.jwks || !this.config) {
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, (h, t) => this.keyFor(h, t), {
        algorithms: ALGORITHMS,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: CLOCK_TOLERANCE_SEC,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch (err) {
      if (err instanceof AppError) {
        throw err;
      }
      if (isBadToken(err)) {
        return null;
      }
      this.logger.warn(`identity provider token check failed: ${(err as Error).message}`);
      throw unavailable();
    }
  }

  /** The key for a token's header: from jose's remote set, or only from the cache after a failed fetch. */
  private async keyFor(header: JWTHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> {
    const remote = this.jwks!;
    if (Date.now() < this.quietUntil) {
      if (!this.cached || !remote.fresh) {
        throw unavailable();
      }
      try {
        return await this.cached(header, token);
      } catch (err) {
        // A kid the cached set lacks may be a new key of the IdP's: we cannot ask it now.
        throw (err as { code?: unknown }).code === 'ERR_JWKS_NO_MATCHING_KEY' ? unavailable() : err;
      }
    }
    try {
      return await remote(header, token);
    } catch (err) {
      if (!isBadToken(err)) {
        this.quietUntil = Date.now() + this.config!.jwksCooldownMs;
        const held = remote.fresh ? remote.jwks() : undefined;
        this.cached = held ? createLocalJWKSet(held) : null;
        this.logger.warn(`identity provider keys unavailable: ${(err as Error).message}`);
        throw unavailable();
      }
      throw err;
    }
  }
}
