import type { INestApplication } from '@nestjs/common';
import { ModulesContainer, Reflector } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { IS_PUBLIC_KEY } from '../decorators/public.decorator.js';
import { BEARER_AUTH } from './bearer-auth.js';

/**
 * The OpenAPI document, one builder for the served `/api/docs-json` and the committed
 * `docs/openapi.json` alike, so third-party tools (Redocly's recommended rules, generators) see
 * the same document the e2e tests compare.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Aeio Dev Agent')
    .setDescription(
      'Describe a website in a chat; an AI agent builds it in a per-session sandbox. ' +
        'Every error is {"detail": "…"}.',
    )
    .setVersion('1')
    // Relative: the document is served by the service it describes; paths carry the /api prefix.
    .addServer('/', 'this service')
    .addBearerAuth(BEARER_AUTH)
    .build();
  const document = SwaggerModule.createDocument(app, config);
  markPublicOperations(app, document);
  return document;
}

/**
 * `@Public()` routes skip the global bearer guard; OpenAPI says so with an explicit empty
 * `security` (Swagger's explorer drops an empty requirement list, so it is set here).
 */
function markPublicOperations(app: INestApplication, document: OpenAPIObject): void {
  const publicIds = publicOperationIds(app);
  for (const methods of Object.values(document.paths)) {
    for (const op of Object.values(methods as Record<string, { operationId?: string }>)) {
      if (typeof op === 'object' && op.operationId && publicIds.has(op.operationId)) {
        Object.assign(op, { security: [] });
      }
    }
  }
}

/** `Controller_method` (Swagger's default operationId) of every handler the guard lets through. */
function publicOperationIds(app: INestApplication): Set<string> {
  const reflector = new Reflector();
  const ids = new Set<string>();
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (typeof metatype !== 'function') {
        continue;
      }
      const prototype = metatype.prototype as Record<string, unknown>;
      for (const name of Object.getOwnPropertyNames(prototype)) {
        const handler = prototype[name];
        // The guard's own look-up: the handler's flag wins over the controller's.
        if (
          name !== 'constructor' &&
          typeof handler === 'function' &&
          reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, metatype])
        ) {
          ids.add(`${metatype.name}_${name}`);
        }
      }
    }
  }
  return ids;
}
