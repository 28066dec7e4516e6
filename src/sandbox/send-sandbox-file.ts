import type { Response } from 'express';
import type { PreviewResult } from './preview.service.js';

/**
 * Generated pages run in a CSP sandbox without `allow-same-origin`: their origin is opaque, so they
 * cannot read the API origin's storage or call the API with the user's credentials.
 */
const PREVIEW_CSP =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-pointer-lock';

export function sendPreviewResult(
  res: Response,
  result: PreviewResult,
  options: { crossOrigin?: boolean } = {},
): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if ('redirect' in result) {
    res.redirect(302, result.redirect);
    return;
  }
  res.setHeader('Content-Security-Policy', PREVIEW_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  if (options.crossOrigin) {
    // Only on the token-in-path route: anyone able to read it already holds the URL's preview token.
    res.setHeader('Access-Control-Allow-Origin', '*');
  }
  res.setHeader('Content-Type', result.file.contentType);
  res.setHeader('Content-Length', result.file.content.length);
  res.end(result.file.content);
}
