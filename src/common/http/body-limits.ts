import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/** Which routes may send a bigger body than the default, and how it is parsed. */
export interface BodyRule {
  method: 'POST' | 'PUT' | 'PATCH';
  /** Matched against the path without the query string, `/api` prefix included. */
  path: RegExp;
  /** `json` for JSON bodies; `raw` keeps the bytes as a Buffer (for archives). */
  parser: 'json' | 'raw';
  /** The content type read (default: JSON for `json`, octet-stream for `raw`); others are left unread. */
  type?: string;
  limitBytes: number;
}

/** One preview error report: two 2 KB texts and a few numbers, with room for JSON escapes. */
export const PREVIEW_REPORT_BYTES = 32 * 1024;

/** Zip imports are read raw up to this (the contract's 50 MiB). */
export const ARCHIVE_IMPORT_BYTES = 50 * 1024 * 1024;

export interface BodyLimits {
  fileWriteBytes: number;
  messageBytes: number;
  defaultBytes: number;
}

/**
 * The one table of per-route body limits; every route not listed reads at most the default. Routes are
 * matched case-insensitively because both adapters route them so; a trailing slash is allowed likewise.
 * Express reads it through `bodyParserByRoute`, Fastify through `adapters/fastify-body.ts` (one
 * content-type parser per rule type: JSON, text/plain read as JSON, raw application/zip).
 */
export function bodyRules(limits: BodyLimits): BodyRule[] {
  return [
    {
      method: 'POST',
      path: /^\/api\/sessions\/[^/]+\/sandbox\/files\/.+$/i,
      parser: 'json',
      limitBytes: limits.fileWriteBytes,
    },
    {
      method: 'POST',
      path: /^\/api\/sessions\/[^/]+\/messages\/?$/i,
      parser: 'json',
      limitBytes: limits.messageBytes,
    },
    {
      // The preview's error reporter posts JSON as text/plain (a simple request from its opaque origin).
      method: 'POST',
      path: /^\/api\/sessions\/[^/]+\/sandbox\/site\/[^/]+\/__errors\/?$/i,
      parser: 'json',
      type: 'text/plain',
      limitBytes: PREVIEW_REPORT_BYTES,
    },
    {
      method: 'POST',
      path: /^\/api\/sessions\/[^/]+\/sandbox\/archive\/?$/i,
      parser: 'raw',
      type: 'application/zip',
      limitBytes: ARCHIVE_IMPORT_BYTES,
    },
  ];
}

const parserFor = (rule: Pick<BodyRule, 'parser' | 'type' | 'limitBytes'>): RequestHandler =>
  rule.parser === 'raw'
    ? express.raw({ type: rule.type ?? 'application/octet-stream', limit: rule.limitBytes })
    : express.json({ type: rule.type ?? 'application/json', limit: rule.limitBytes });

/**
 * Body parsing with the limit of the route: it runs before auth and any handler, so a body past its
 * limit is refused with 413 before any work is done (body-parser stops reading at the limit, and
 * refuses at once when Content-Length already says more).
 */
export function bodyParserByRoute(limits: BodyLimits): RequestHandler {
  const routed = bodyRules(limits).map((rule) => ({ rule, parse: parserFor(rule) }));
  const fallback = parserFor({ parser: 'json', limitBytes: limits.defaultBytes });
  return (req: Request, res: Response, next: NextFunction) => {
    const hit = routed.find(({ rule }) => rule.method === req.method && rule.path.test(req.path));
    (hit?.parse ?? fallback)(req, res, next);
  };
}
