import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { parseSandboxPath } from './sandbox-path.js';

/**
 * The `*filename` wildcard of a sandbox route, validated. The router has percent-decoded each segment
 * exactly once, so an encoded "../" arrives as ".." and is refused like a raw one.
 */
export const SandboxPathParam = createParamDecorator(
  (opts: { optional?: boolean } | undefined, ctx: ExecutionContext): string | undefined => {
    const raw = ctx.switchToHttp().getRequest<Request>().params.filename as
      string | string[] | undefined;
    if (raw === undefined && opts?.optional) {
      return undefined;
    }
    return parseSandboxPath(Array.isArray(raw) ? raw.join('/') : raw);
  },
);
