import { Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt } from 'passport-jwt';
import type { FastifyRequest } from 'fastify';
import { UsersService } from '../../users/users.service.js';
import type { AuthUser } from '../../users/auth-user.js';
import { identityFromClaims } from '../oidc/oidc-identity.js';
import { OidcVerifier } from '../oidc/oidc-verifier.service.js';
import { BearerCallbackStrategy } from './bearer-callback.strategy.js';

const fromHeader = ExtractJwt.fromAuthHeaderAsBearerToken();

/**
 * Access tokens of the company's identity provider, from the Authorization header only: the user is
 * found by (`iss`, `sub`) or made on first use. The global guard sends a token here only when it is
 * no token of ours, no API key, and corporate identity is configured.
 */
@Injectable()
export class OidcStrategy extends PassportStrategy(BearerCallbackStrategy, 'oidc') {
  constructor(
    private readonly verifier: OidcVerifier,
    private readonly users: UsersService,
  ) {
    super();
  }

  async validate(req: FastifyRequest): Promise<AuthUser | false> {
    const token = fromHeader(req);
    const claims = token ? await this.verifier.verify(token) : null;
    const identity = claims && identityFromClaims(claims, this.verifier.usernameClaim);
    if (!identity) {
      return false;
    }
    return (await this.users.activeForIdentity(identity)) ?? false;
  }
}
