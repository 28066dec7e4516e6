import { rawResponse } from '../common/http/raw-response.js';
import type { PreviewResult } from './preview.service.js';

/**
 * Generated pages run in a CSP sandbox without `allow-same-origin`: their origin is opaque, so they
 * cannot read the API origin's storage or call the API with the user's credentials.
 */
const PREVIEW_CSP =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-pointer-lock';

/** Writes a preview answer on the Node response itself (under the handler's `@Res()`). */
export function sendPreviewResult(
  res: object,
  result: PreviewResult,
  options: { crossOrigin?: boolean } = {},
): void {
  const { raw, take } = rawResponse(res);
  take();
  raw.setHeader('Cache-Control', 'no-store');
  raw.setHeader('Referrer-Policy', 'no-referrer');
  if ('redirect' in result) {
    const body = `Found. Redirecting to ${result.redirect}`;
    raw.statusCode = 302;
    raw.setHeader('Location', result.redirect);
    raw.setHeader('Content-Type', 'text/plain; charset=utf-8');
    raw.setHeader('Content-Length', Buffer.byteLength(body));
    raw.end(body);
    return;
  }
  raw.statusCode = 200;
  raw.setHeader('Content-Security-Policy', PREVIEW_CSP);
  raw.setHeader('X-Content-Type-Options', 'nosniff');
  if (options.crossOrigin) {
    // Only on the token-in-path route: anyone able to read it already holds the URL's preview token.
    raw.setHeader('Access-Control-Allow-Origin', '*');
  }
  raw.setHeader('Content-Type', result.file.contentType);
  raw.setHeader('Content-Length', result.file.content.length);
  raw.end(result.file.content);
}
