import type { ServerResponse } from 'node:http';

/** A Fastify reply, by shape: `common/` does not depend on either adapter. */
interface HijackableReply {
  raw: ServerResponse;
  hijack(): unknown;
}

const isReply = (res: object): res is HijackableReply => 'raw' in res && 'hijack' in res;

/**
 * The Node response under a handler's `@Res()`, for the routes that write it themselves (SSE, preview
 * files): Express's response is one already; a Fastify reply hands it over, and `take()` tells Fastify
 * the handler now owns it. Taken only when writing starts, so an error before that is still answered
 * as JSON by the filter.
 */
export function rawResponse(res: object): { raw: ServerResponse; take: () => void } {
  if (isReply(res)) {
    return { raw: res.raw, take: () => void res.hijack() };
  }
  return { raw: res as ServerResponse, take: () => undefined };
}
