import type { FastifyRequest } from 'fastify';
import type { AuthUser } from './auth-user.js';

/** How the request's token was presented; preview routes swap an access token seen in the URL. */
export interface TokenSource {
  kind: 'access' | 'preview';
  /** True when the token came in the URL (query or path) rather than the Authorization header. */
  fromUrl: boolean;
  token: string;
}

/** Path parameters and query as Fastify hands them to a route. */
type RouteParts = {
  Params: Record<string, string | undefined>;
  Querystring: Record<string, unknown>;
};

/** A request the JWT guard authenticated. */
export interface AuthedRequest extends FastifyRequest<RouteParts> {
  user: AuthUser;
  tokenSource?: TokenSource;
}
