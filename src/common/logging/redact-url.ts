/**
 * A URL as it may be logged: tokens in `?token=` and in the preview's asset path are replaced, so
 * neither access nor preview tokens reach the logs.
 */
export function redactUrl(url: string | undefined): string {
  if (!url) {
    return '';
  }
  return url
    .replace(/([?&]token=)[^&#]*/gi, '$1[REDACTED]')
    .replace(/(\/sandbox\/site\/)[^/?#]+/g, '$1[REDACTED]');
}
