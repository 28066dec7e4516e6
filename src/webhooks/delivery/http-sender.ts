import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { VettedAddress } from './target-address.js';

/** How one attempt went: a status code when the endpoint answered, else why not. */
export interface AttemptOutcome {
  statusCode: number | null;
  error: string | null;
}

/** Bytes of a response read before the connection is dropped (the body itself is not kept). */
const MAX_RESPONSE_BYTES = 64 * 1024;

/**
 * POSTs `body` to `url`, connecting to `target` (the address already checked) whatever DNS says now,
 * so a name that rebinds between the check and the connection gets nowhere new. Redirects are not
 * followed; the response body is read up to 64 KiB and discarded; `timeoutMs` bounds the whole
 * exchange. Never throws.
 */
export function postWebhook(
  url: URL,
  target: VettedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const lookup: LookupFunction = (_host, options, callback) => {
    if (options.all) {
      callback(null, [{ address: target.address, family: target.family }]);
    } else {
      callback(null, target.address, target.family);
    }
  };
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    let settled = false;
    const done = (outcome: AttemptOutcome) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      }
    };
    const req = client.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      lookup,
      // One connection per attempt: a pooled socket could outlive the address check.
      agent: false,
    });
    const timer = setTimeout(() => {
      done({ statusCode: null, error: `no answer within ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (err: NodeJS.ErrnoException) => {
      done({ statusCode: null, error: `connection failed (${err.code ?? 'error'})` });
    });
    req.on('response', (res) => {
      let read = 0;
      const statusCode = res.statusCode ?? 0;
      const finish = () => {
        done({
          statusCode,
          error: statusCode >= 200 && statusCode < 300 ? null : `HTTP ${statusCode}`,
        });
      };
      res.on('data', (chunk: Buffer) => {
        read += chunk.length;
        if (read > MAX_RESPONSE_BYTES) {
          finish();
          req.destroy();
        }
      });
      res.on('end', finish);
      res.on('error', finish);
    });
    req.end(body);
  });
}
