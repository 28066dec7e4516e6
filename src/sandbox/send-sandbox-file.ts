import type { Response } from 'express';
import type { PreviewResult } from './preview.service.js';

/**
 * Generated pages run in a CSP sandbox without `allow-same-origin`: their origin is opaque, so they
 * cannot read the API origin's storage or call the API with the user's credentials.
 */
const PREVIEW_CSP =
  'sandbox allow-scripts allow-forms allow-popups allow-modals allow-downloads allow-pointer-lock';

export function sendPreviewResult(res: Response, result: PreviewResult): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  if ('redirect' in result) {
    res.redirect(302, result.redirect);
    return;
  }
  res.setHeader('Content-Security-Policy', PREVIEW_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Type', result.file.contentType);
  res.setHeader('Content-Length', result.file.content.length);
  res.end(result.file.content);
}
