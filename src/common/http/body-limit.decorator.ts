import type { AppConfig } from '../../config/app-config.js';
import { routeConfigEntry } from './route-config.js';

/** A limit in bytes, or the config value it comes from when it is configurable. */
export type BodyLimitBytes = number | ((http: AppConfig['http']) => number);

/** How one route reads its body: up to how many bytes, of which content type, as JSON or raw bytes. */
export interface BodyRule {
  limit: BodyLimitBytes;
  /** `json` parses the body; `raw` hands the handler the bytes as a Buffer (archives). */
  parser: 'json' | 'raw';
  /** The one content type read; a body of another type is left unread (the handler sees none). */
  type: string;
}

/** Where the rule sits in the route's Fastify `config` (`request.routeOptions.config`). */
export const BODY_RULE = 'bodyRule';

/**
 * Declares, on the route itself, how much body it reads and how: every route without one reads JSON
 * up to `BODY_LIMIT_DEFAULT_BYTES`. The rule travels in the route's Fastify `config`, so the body
 * parser finds it on the matched route; more is refused with 413 before any guard or handler runs.
 */
export function BodyLimit(
  limit: BodyLimitBytes,
  opts: { parser?: BodyRule['parser']; type?: string } = {},
): MethodDecorator {
  const parser = opts.parser ?? 'json';
  const rule: BodyRule = {
    limit,
    parser,
    type: opts.type ?? (parser === 'raw' ? 'application/octet-stream' : 'application/json'),
  };
  return routeConfigEntry(BODY_RULE, rule);
}
