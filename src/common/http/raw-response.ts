import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';

/**
 * The Node response under a handler's `@Res()` (a Fastify reply), for the routes that write it
 * themselves (SSE, preview files); `take()` tells Fastify the handler now owns it. Taken only when
 * writing starts, so an error before that is still answered as JSON by the filter.
 */
export function rawResponse(res: object): { raw: ServerResponse; take: () => void } {
  const reply = res as FastifyReply;
  return { raw: reply.raw, take: () => void reply.hijack() };
}
