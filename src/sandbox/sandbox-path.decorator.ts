import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { parseSandboxPath } from './sandbox-path.js';

/**
 * The wildcard tail (`*`) of a sandbox route, validated. The router has percent-decoded each segment
 * exactly once, so an encoded "../" arrives as ".." and is refused like a raw one.
 */
export const SandboxPathParam = createParamDecorator(
  (opts: { optional?: boolean } | undefined, ctx: ExecutionContext): string | undefined => {
    const params = ctx
      .switchToHttp()
      .getRequest<{ params: Record<string, string | undefined> }>().params;
    const raw = params['*'];
    if ((raw === undefined || raw === '') && opts?.optional) {
      return undefined;
    }
    return parseSandboxPath(raw);
  },
);
