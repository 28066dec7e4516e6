import type { IncomingMessage } from 'node:http';
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { bodyRules, type BodyLimits } from '../body-limits.js';

type Done = (err: Error | null, body?: unknown) => void;

/** The same answer body-parser gives on Express: 413, before the handler runs. */
const tooLarge = () =>
  new HttpException('Request body too large', HttpStatus.PAYLOAD_TOO_LARGE, {
    cause: new Error('request body over the limit of its route'),
  });

/**
 * Fastify closes the connection after a parser error, so answering while the client still sends would
 * break its pipe (Express answers and lets Node read the rest). The rest is read and dropped first; no
 * work is done for the request either way.
 */
function refuse(payload: IncomingMessage, done: Done): void {
  let answered = false;
  const answer = () => {
    if (!answered) {
      answered = true;
      done(tooLarge());
    }
  };
  payload.on('end', answer);
  payload.on('error', answer);
  payload.on('close', answer);
  payload.resume();
}

/** body-parser's `strict` JSON: an object or an array; an empty body is `{}`. */
function parseStrictJson(text: string): unknown {
  const first = /\S/.exec(text)?.[0];
  if (first === undefined) {
    return {};
  }
  if (first !== '{' && first !== '[') {
    throw new SyntaxError(`Unexpected token ${first} in JSON`);
  }
  return JSON.parse(text);
}

/** The media type of a `Content-Type` header, lower-cased, without its parameters. */
const mediaType = (header: string | undefined): string =>
  (header ?? '').split(';', 1)[0].trim().toLowerCase();

/** Reads the whole body up to `limit`, refusing with 413 past it; `read` turns the bytes into the body. */
function readLimited(
  payload: IncomingMessage,
  limit: number,
  read: (bytes: Buffer) => unknown,
  done: Done,
): void {
  if (Number(payload.headers['content-length']) > limit) {
    refuse(payload, done);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let settled = false;
  const settle = (err: Error | null, body?: unknown) => {
    if (!settled) {
      settled = true;
      done(err, body);
    }
  };
  payload.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > limit && !settled) {
      chunks.length = 0;
      settled = true;
      refuse(payload, done);
    } else if (!settled) {
      chunks.push(chunk);
    }
  });
  payload.on('error', (err) => settle(err));
  payload.on('end', () => {
    if (settled) {
      return;
    }
    try {
      settle(null, read(Buffer.concat(chunks)));
    } catch (err) {
      settle(err as Error);
    }
  });
}

const readJson = (bytes: Buffer): unknown => {
  try {
    return parseStrictJson(bytes.toString('utf8'));
  } catch (err) {
    throw new BadRequestException('Malformed JSON in request body', {
      cause: err instanceof SyntaxError ? err : new SyntaxError(String(err)),
    });
  }
};

/**
 * Fastify's body parsing with the per-route rules of `bodyRules` (the table Express uses): a route's
 * rule (else the default JSON rule) says which content type is read, how and up to what size. A body
 * of another content type is not read (the handler sees none), as on Express. A declared length past
 * the limit is refused before reading, a streamed one as soon as it passes it. Malformed JSON is a
 * `SyntaxError` cause, which the filter words as on Express. Register it for every content type a
 * rule reads (JSON, text/plain, application/zip) and `*`.
 */
export function bodyParser(limits: BodyLimits) {
  const rules = bodyRules(limits);
  const fallback = { parser: 'json' as const, type: undefined, limitBytes: limits.defaultBytes };
  return (request: { method: string; url: string }, payload: IncomingMessage, done: Done): void => {
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const rule = rules.find((r) => r.method === request.method && r.path.test(path)) ?? fallback;
    const type =
      rule.type ?? (rule.parser === 'raw' ? 'application/octet-stream' : 'application/json');
    if (mediaType(payload.headers['content-type']) !== type) {
      ignoredBody(request, payload, done);
      return;
    }
    readLimited(payload, rule.limitBytes, rule.parser === 'raw' ? (b) => b : readJson, done);
  };
}

/** The largest limit of any rule: Fastify's own `bodyLimit` must let it through. */
export function largestLimit(limits: BodyLimits): number {
  return Math.max(limits.defaultBytes, ...bodyRules(limits).map((rule) => rule.limitBytes));
}

/** Other content types are not read, as on Express (the handler sees no body). */
export function ignoredBody(_request: unknown, _payload: IncomingMessage, done: Done): void {
  done(null, undefined);
}
