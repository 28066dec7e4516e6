import type { ExecutionContext } from '@nestjs/common';
import type { Reflector } from '@nestjs/core';
import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { FastifyRequest } from 'fastify';
import type { AppConfig, Tier } from '../../config/app-config.js';
import type { RedisConnection } from '../redis/redis.module.js';
import { MemoryThrottlerStorage } from './memory-throttler.storage.js';
import { RedisThrottlerStorage } from './redis-throttler.storage.js';
import { FailoverThrottlerStorage } from './failover-throttler.storage.js';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { AUTH_RATE_LIMIT_KEY } from './auth-rate-limit.decorator.js';
import { IS_PREVIEW_ROUTE_KEY } from '../decorators/preview-route.decorator.js';

/** What the JWT guard leaves on the request, as far as limits care (common/ knows no feature types). */
type AuthedRequest = FastifyRequest & { user?: { id: number; tier: Tier } };

/**
 * One throttler: signed-in callers are counted per user at their tier's limit; register/login per IP.
 * Other public routes (health) are not limited. The JWT guard runs first, so `req.user` is known here.
 * Preview routes (the page and its assets, which a browser loads by the dozen) count in a bucket of
 * their own per user (THROTTLE_LIMIT_PREVIEW), so a preview never spends its owner's API limit.
 */
export function throttlerOptions(
  config: AppConfig,
  reflector: Reflector,
  redis: RedisConnection,
): ThrottlerModuleOptions {
  const flag = (ctx: ExecutionContext, key: string) =>
    reflector.getAllAndOverride<boolean>(key, [ctx.getHandler(), ctx.getClass()]) === true;
  const request = (ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>();
  return {
    // With REDIS_URL the counters are shared by every replica (each keeps its own in memory while
    // Redis is away); without, each keeps its own in memory.
    storage: redis.client
      ? new FailoverThrottlerStorage(
          new RedisThrottlerStorage(redis.client, `${config.redisPrefix}throttle:`),
          new MemoryThrottlerStorage(),
          redis,
        )
      : new MemoryThrottlerStorage(),
    throttlers: [
      {
        name: 'default',
        ttl: config.throttle.ttlMs,
        limit: (ctx) => {
          const user = request(ctx).user;
          if (flag(ctx, AUTH_RATE_LIMIT_KEY) || !user) {
            return config.throttle.authLimit;
          }
          return flag(ctx, IS_PREVIEW_ROUTE_KEY)
            ? config.throttle.previewLimit
            : config.throttle.tierLimits[user.tier];
        },
      },
    ],
    skipIf: (ctx) => flag(ctx, IS_PUBLIC_KEY) && !flag(ctx, AUTH_RATE_LIMIT_KEY),
    getTracker: (req, ctx) => {
      const r = req as AuthedRequest;
      if (flag(ctx, AUTH_RATE_LIMIT_KEY) || !r.user) {
        return `ip:${r.ip ?? 'unknown'}`;
      }
      return flag(ctx, IS_PREVIEW_ROUTE_KEY) ? `preview:${r.user.id}` : `user:${r.user.id}`;
    },
    // One counter per caller across all routes (the default key is per route).
    generateKey: (_ctx, tracker, name) => `${name}:${tracker}`,
    errorMessage: 'Too many requests; slow down and retry later',
  };
}
