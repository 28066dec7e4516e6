import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { UsersService } from '../../users/users.service.js';
import type { AuthUser } from '../auth-user.js';
import { hmacKey, JWT_ALGORITHM, type TokenClaims } from '../token.service.js';
import { userFromClaims } from './claims-to-user.js';

/** Access tokens from `Authorization: Bearer …` only; `?token=` is ignored outside the preview routes. */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its types say string | Buffer).
      secretOrKey: hmacKey(config.auth.jwtSecret) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      ignoreExpiration: false,
    });
  }

  async validate(claims: TokenClaims): Promise<AuthUser | false> {
    return claims.typ === 'access' ? userFromClaims(this.users, claims) : false;
  }
}
