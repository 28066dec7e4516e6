import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';

/**
 * Browser-opened preview routes send their own CSP (sandbox); helmet's would fight it. Anchored at both
 * ends, so API routes beside them (`preview-token`, `previewXYZ`) keep helmet. Case-insensitive and with
 * an optional trailing slash, as the router matches them.
 */
const PREVIEW_PATH =
  /^\/api\/sessions\/[^/]+\/sandbox\/(?:preview\/?|static\/.+|site\/[^/]+(?:\/.*)?)$/i;

/** The token-in-path site route: what the preview page itself fetches from its opaque origin. */
const SITE_PATH = /^\/api\/sessions\/[^/]+\/sandbox\/site\/[^/]+(?:\/.*)?$/i;

export type RawMiddleware = (
  path: string,
  req: IncomingMessage,
  res: ServerResponse,
  next: (err?: unknown) => void,
) => void;

/** helmet's headers on API routes, none on preview routes; Swagger UI (inline scripts) without the CSP. */
export function securityHeaders(): RawMiddleware {
  const apiHeaders = helmet();
  const docsHeaders = helmet({ contentSecurityPolicy: false });
  return (path, req, res, next) => {
    if (PREVIEW_PATH.test(path)) {
      if (SITE_PATH.test(path)) {
        // Set before routing, so its errors too (a missing `data.json`) are readable 404s to the page's
        // fetch() rather than CORS failures; whoever can read the answer already holds its preview token.
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
