import type { Request } from 'express';
import type { AuthUser } from './auth-user.js';

/** How the request's token was presented; preview routes swap an access token seen in the URL. */
export interface TokenSource {
  kind: 'access' | 'preview';
  /** True when the token came in the URL (query or path) rather than the Authorization header. */
  fromUrl: boolean;
  token: string;
}

/** A request the JWT guard authenticated. */
export interface AuthedRequest extends Request {
  user: AuthUser;
  tokenSource?: TokenSource;
}
