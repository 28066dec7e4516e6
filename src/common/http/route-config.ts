import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import type { FastifyRequest } from 'fastify';

/**
 * A method decorator that sets one key of the route's Fastify `config` (what `@RouteConfig` sets),
 * keeping the keys other decorators set: the HTTP layer's hooks and parser read it from the matched
 * route (`request.routeOptions.config`), so a route declares how it is served next to its handler.
 */
export function routeConfigEntry(key: string, value: unknown): MethodDecorator {
  return (_target, _key, descriptor) => {
    const handler = descriptor.value as object;
    const config = (Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, handler) ?? {}) as object;
    Reflect.defineMetadata(FASTIFY_ROUTE_CONFIG_METADATA, { ...config, [key]: value }, handler);
  };
}

/** The value a route set with `routeConfigEntry(key, …)`, if it set one (none on a 404). */
export function routeConfigOf<T>(request: FastifyRequest, key: string): T | undefined {
  const config = request.routeOptions.config as unknown as Record<string, unknown> | undefined;
  return config?.[key] as T | undefined;
}
