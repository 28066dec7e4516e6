import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { parseSandboxPath } from './sandbox-path.js';

/**
 * The `*filename` wildcard of a sandbox route, validated. The router has percent-decoded each segment
 * exactly once, so an encoded "../" arrives as ".." and is refused like a raw one. Express names it
 * `filename` (an array of segments); Fastify, whose routes spell it `*`, names it `*` (a string).
 */
export const SandboxPathParam = createParamDecorator(
  (opts: { optional?: boolean } | undefined, ctx: ExecutionContext): string | undefined => {
    const params = ctx.switchToHttp().getRequest<{ params: Record<string, unknown> }>().params;
    const raw = (params.filename ?? params['*']) as string | string[] | undefined;
    if ((raw === undefined || raw === '') && opts?.optional) {
      return undefined;
    }
    return parseSandboxPath(Array.isArray(raw) ? raw.join('/') : raw);
  },
);
