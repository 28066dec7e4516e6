import { createSecretKey, type KeyObject } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { AppConfig } from '../config/app-config.js';
import { APP_CONFIG } from '../config/config.module.js';

export type TokenKind = 'access' | 'preview';

/** What our tokens carry. A preview token is bound to one session and only opens its preview. */
export interface TokenClaims {
  sub: string;
  typ: TokenKind;
  sid?: string;
  exp?: number;
}

export const JWT_ALGORITHM = 'HS256';

const keys = new Map<string, KeyObject>();

/**
 * The HS256 secret as a KeyObject. Given a string, jsonwebtoken first tries to read it as a public key
 * (`createPublicKey`, which throws) on every verify: ~0.3 ms of CPU per request instead of ~7 µs.
 */
export function hmacKey(secret: string): KeyObject {
  let key = keys.get(secret);
  if (!key) {
    key = createSecretKey(Buffer.from(secret, 'utf8'));
    keys.set(secret, key);
  }
  return key;
}

@Injectable()
export class TokenService {
  constructor(
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  issueAccess(userId: number): string {
    return this.jwt.sign({ sub: String(userId), typ: 'access' } satisfies TokenClaims, {
      expiresIn: this.config.auth.accessTokenTtlSec,
    });
  }

  issuePreview(userId: number, sessionId: string): { token: string; expiresAt: Date } {
    const ttl = this.config.auth.previewTokenTtlSec;
    const token = this.jwt.sign(
      { sub: String(userId), typ: 'preview', sid: sessionId } satisfies TokenClaims,
      { expiresIn: ttl },
    );
    const { exp } = this.jwt.decode<TokenClaims>(token);
    return { token, expiresAt: new Date((exp ?? 0) * 1000) };
  }

  /** Verifies signature (HS256 only) and expiry; null for anything that is not a valid token of ours. */
  verify(token: string): TokenClaims | null {
    try {
      const claims = this.jwt.verify<TokenClaims>(token, { algorithms: [JWT_ALGORITHM] });
      if ((claims.typ !== 'access' && claims.typ !== 'preview') || !/^\d+$/.test(claims.sub)) {
        return null;
      }
      return claims;
    } catch {
      return null;
    }
  }
}
