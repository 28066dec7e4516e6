import type { IncomingMessage } from 'node:http';
import { BadRequestException, HttpException, HttpStatus } from '@nestjs/common';
import { bodyRules, limitFor, type BodyLimits } from '../body-limits.js';

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

/**
 * Fastify's JSON content-type parser with the per-route limit of `bodyRules` (the table Express uses):
 * a declared length past the limit is refused before reading, a streamed one as soon as it passes it.
 * Malformed JSON is a `SyntaxError` cause, which the filter words as on Express.
 */
export function jsonBodyParser(limits: BodyLimits) {
  const rules = bodyRules(limits);
  return (request: { method: string; url: string }, payload: IncomingMessage, done: Done): void => {
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const limit = limitFor(rules, limits.defaultBytes, request.method, path);
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
        settle(null, parseStrictJson(Buffer.concat(chunks).toString('utf8')));
      } catch (err) {
        settle(
          new BadRequestException('Malformed JSON in request body', {
            cause: err instanceof SyntaxError ? err : new SyntaxError(String(err)),
          }),
        );
      }
    });
  };
}

/** Other content types are not read, as on Express (the handler sees no body). */
export function ignoredBody(_request: unknown, _payload: IncomingMessage, done: Done): void {
  done(null, undefined);
}
