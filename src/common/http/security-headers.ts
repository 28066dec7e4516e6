import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import { routeConfigEntry } from './route-config.js';

/** Where a route's header policy sits in its Fastify `config`. */
export const OWN_HEADERS = 'ownHeaders';

export interface OwnHeaders {
  /** `Access-Control-Allow-Origin: *`, for what a page on an opaque origin fetches itself. */
  anyOrigin: boolean;
}

/**
 * A browser-opened preview route: it sends its own CSP (sandbox), which helmet's would fight, so helmet
 * leaves it alone. With `anyOrigin` (the token-in-path site routes) the answer is readable from the
 * preview page's opaque origin, errors too (a missing `data.json` is a readable 404 to the page's
 * fetch() rather than a CORS failure); whoever can read it already holds its preview token.
 */
export const PreviewHeaders = (opts: Partial<OwnHeaders> = {}): MethodDecorator =>
  routeConfigEntry(OWN_HEADERS, { anyOrigin: opts.anyOrigin ?? false } satisfies OwnHeaders);

export type RawMiddleware = (
  own: OwnHeaders | undefined,
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/**
 * helmet's headers on every route but those with `@PreviewHeaders()` (their own, set before the
 * handler runs); Swagger UI (inline scripts) without the CSP.
 */
export function securityHeaders(): RawMiddleware {
  const apiHeaders = helmet();
  const docsHeaders = helmet({ contentSecurityPolicy: false });
  return (own, path, req, res, next) => {
    if (own) {
      if (own.anyOrigin) {
        res.setHeader('Access-Control-Allow-Origin', '*');
      }
      next();
    } else if (path.startsWith('/api/docs')) {
      docsHeaders(req, res, next);
    } else {
      apiHeaders(req, res, next);
    }
  };
}
