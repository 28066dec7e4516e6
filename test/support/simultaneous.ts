import { Agent, request as httpRequest, type ClientRequest } from 'node:http';

export interface RaceRequest {
  path: string;
  body: unknown;
  headers?: Record<string, string>;
}

export interface RaceResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: any;
}

export interface Race {
  /** One promise per request, in order; each settles when its response has been read. */
  responses: Promise<RaceResult>[];
  /** Closes the connections (call after every response you wait for has arrived). */
  close(): void;
}

/**
 * Sends POSTs so that they reach the server at the same instant ("last-byte sync"): each goes out on its
 * own connection with all but the last byte of its body, and once all of them are on the wire every final
 * byte goes out in the same tick. Handlers then start together, which staggered parallel fetches do not
 * guarantee. Responses are returned one by one, so a test can wait for the quick ones while others hang.
 */
export async function simultaneousPosts(
  baseUrl: string,
  token: string,
  requests: RaceRequest[],
): Promise<Race> {
  const { hostname, port } = new URL(baseUrl);
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  const pending: { req: ClientRequest; last: Buffer }[] = [];
  const responses: Promise<RaceResult>[] = [];
  const ready: Promise<void>[] = [];
  for (const { path, body, headers } of requests) {
    const payload = Buffer.from(JSON.stringify(body), 'utf8');
    const req = httpRequest({
      agent,
      host: hostname,
      port,
      method: 'POST',
      path,
      headers: {
        ...headers,
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'content-length': payload.length,
      },
    });
    responses.push(
      new Promise<RaceResult>((resolve, reject) => {
        req.on('error', reject);
        req.on('response', (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const json = (res.headers['content-type'] ?? '').includes('application/json');
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: json ? JSON.parse(text) : text,
            });
          });
        });
      }),
    );
    ready.push(
      new Promise((resolve, reject) =>
        req.write(payload.subarray(0, -1), (err) => (err ? reject(err) : resolve())),
      ),
    );
    pending.push({ req, last: payload.subarray(-1) });
  }
  await Promise.all(ready);
  // Let the server read every partial body before the last bytes go out in one tick.
  await new Promise((r) => setTimeout(r, 200));
  for (const p of pending) {
    p.req.end(p.last);
  }
  return { responses, close: () => agent.destroy() };
}
