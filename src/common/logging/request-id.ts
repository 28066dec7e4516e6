import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

/** The gateway's `X-Request-Id` when it looks sane, else a fresh one. */
export function pickRequestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && ACCEPTABLE.test(given) ? given : randomUUID();
}

/** pino-http's `genReqId`, for a request that has no id yet: the id, echoed on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const id = pickRequestId(req);
  res.setHeader('X-Request-Id', id);
  return id;
}
