import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
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

/**
 * Verifies access tokens of the company's identity provider against its JWKS. jose caches the key set,
 * refetches it when a token names a `kid` it does not hold, but never twice within the cooldown (60 s
 * by default), so a stream of made-up `kid`s cannot turn into a stream of requests to the IdP.
 */
@Injectable()
export class OidcVerifier {
  private readonly logger = new Logger(OidcVerifier.name);
  private readonly config: OidcConfig | null;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | null;

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
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: ALGORITHMS,
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: CLOCK_TOLERANCE_SEC,
        requiredClaims: ['sub', 'exp'],
      });
      return payload;
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && BAD_TOKEN.has(code)) {
        return null;
      }
      this.logger.warn(`identity provider keys unavailable: ${(err as Error).message}`);
      throw new AppError('unavailable', 'Identity provider unavailable; retry shortly');
    }
  }
}
