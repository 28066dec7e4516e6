import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ExtractJwt, Strategy } from 'passport-jwt';
import type { AuthedRequest } from '../../users/authed-request.js';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { UsersService } from '../../users/users.service.js';
import type { AuthUser } from '../../users/auth-user.js';
import { hmacKey, JWT_ALGORITHM, type TokenClaims } from '../token.service.js';
import { userFromClaims } from './claims-to-user.js';

const fromHeader = ExtractJwt.fromAuthHeaderAsBearerToken();

/** A token in the URL: the `:token` segment of the tokenised asset path, else `?token=`. */
function fromUrl(req: AuthedRequest): string | null {
  const token: unknown = req.params.token ?? req.query.token;
  return typeof token === 'string' && token ? token : null;
}

/** On the tokenised asset path the path's own token decides, whatever header comes along. */
const extract = (req: AuthedRequest): string | null =>
  typeof req.params.token === 'string' ? req.params.token : (fromHeader(req) ?? fromUrl(req));

/**
 * Preview and static routes: a browser cannot add a header to an iframe, so `?token=` is accepted too,
 * holding either an access token or a preview token bound to this very session. The header wins,
 * except on the tokenised asset path, where the token in the path is the credential.
 */
@Injectable()
export class PreviewStrategy extends PassportStrategy(Strategy, 'preview') {
  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersService,
  ) {
    super({
      jwtFromRequest: extract,
      // passport-jwt hands the key to jsonwebtoken, which takes a KeyObject (its types say string | Buffer).
      secretOrKey: hmacKey(config.auth.jwtSecret) as unknown as Buffer,
      algorithms: [JWT_ALGORITHM],
      passReqToCallback: true,
    });
  }

  async validate(req: AuthedRequest, claims: TokenClaims): Promise<AuthUser | false> {
    if (claims.typ === 'preview' && claims.sid !== req.params.id) {
      return false;
    }
    const inPath = typeof req.params.token === 'string';
    // An access token never belongs in a path: only preview tokens open the tokenised asset path.
    if (inPath && claims.typ !== 'preview') {
      return false;
    }
    const header = inPath ? null : fromHeader(req);
    req.tokenSource = { kind: claims.typ, fromUrl: !header, token: extract(req) ?? '' };
    return userFromClaims(this.users, claims);
  }
}
