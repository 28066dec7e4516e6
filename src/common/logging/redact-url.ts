import { unescape } from 'node:querystring';

/**
 * Whether a raw query key names the token as a query parser may read it (Fastify's does):
 * percent-decoded (`%74oken`), with `+` as a space. Case and a `[…]` suffix are redacted too.
 */
function isTokenKey(rawKey: string): boolean {
  const key = unescape(rawKey.replaceAll('+', ' ')).trim().toLowerCase();
  return key === 'token' || key.startsWith('token[');
}

/** One pass over `&`-separated pairs: linear, whatever a client puts in the URL. */
const redactQuery = (query: string): string =>
  query
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq !== -1 && isTokenKey(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=[REDACTED]` : pair;
    })
    .join('&');

/**
 * API keys (`aeio_…`, see auth/api-keys) wherever a client put one: the service refuses them in URLs,
 * but a script that tries `?api_key=` must not leave its key in the logs either. Linear: one class, no
 * backtracking.
 */
const API_KEY = /aeio(?:_|%5[Ff])[0-9A-Za-z]+/g;

/**
 * A URL as it may be logged: tokens in `?token=` and in the preview's asset path are replaced, so
 * neither access nor preview tokens reach the logs, and so is anything shaped like an API key.
 */
export function redactUrl(rawUrl: string | undefined): string {
  if (!rawUrl) {
    return '';
  }
  const url = rawUrl.replace(API_KEY, 'aeio_[REDACTED]');
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  // Routes match case-insensitively, so `/SANDBOX/Site/<token>` reaches the asset path as well.
  const safePath = path.replace(/(\/sandbox\/site\/)[^/?#]+/gi, '$1[REDACTED]');
  return q === -1 ? safePath : `${safePath}?${redactQuery(url.slice(q + 1))}`;
}
