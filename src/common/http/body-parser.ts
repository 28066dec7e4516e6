import type { IncomingMessage } from 'node:http';
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { AppConfig } from '../../config/app-config.js';
import { BODY_RULE, type BodyRule } from './body-limit.decorator.js';
import { routeConfigOf } from './route-config.js';

type Done = (err: Error | null, body?: unknown) => void;

/** 413, before any guard or handler runs; the filter words it `Request body too large`. */
const tooLarge = () =>
  new HttpException('Request body too large', HttpStatus.PAYLOAD_TOO_LARGE, {
    cause: new Error('request body over the limit of its route'),
  });

/**
 * Fastify closes the connection after a parser error, so answering while the client still sends would
 * break its pipe. The rest is read and dropped first; no work is done for the request either way.
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

/** Strict JSON: an object or an array; an empty body is `{}`. */
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
 * Fastify's body parsing, by the rule the matched route declares with `@BodyLimit` (routing happens
 * before parsing, so the route's `config` is known here): which content type is read, how and up to
 * what size; a route without one reads JSON up to `BODY_LIMIT_DEFAULT_BYTES`. A body of another
 * content type is not read (the handler sees none). A declared length past the limit is refused
 * before reading, a streamed one as soon as it passes it. Malformed JSON is a `SyntaxError` cause,
 * which the filter words plainly. Registered for every content type (`*`).
 */
export function bodyParser(http: AppConfig['http']) {
  return (request: FastifyRequest, payload: IncomingMessage, done: Done): void => {
    const rule = routeConfigOf<BodyRule>(request, BODY_RULE);
    if (mediaType(payload.headers['content-type']) !== (rule?.type ?? 'application/json')) {
      done(null, undefined);
      return;
    }
    const limit = !rule
      ? http.bodyLimitDefaultBytes
      : typeof rule.limit === 'function'
        ? rule.limit(http)
        : rule.limit;
    readLimited(payload, limit, rule?.parser === 'raw' ? (b) => b : readJson, done);
  };
}
