import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../config/app-config.js';
import { pickRequestId } from '../logging/request-id.js';
import { bodyParser } from './body-parser.js';
import { routeConfigOf } from './route-config.js';
import { OWN_HEADERS, securityHeaders, type OwnHeaders } from './security-headers.js';
import {
  ConsoleSite,
  consoleDir,
  consoleRequestHeaders,
  writeConsoleAnswer,
} from './console-site.js';

/** `TRUST_PROXY`: a number n trusts the n nearest hops. */
const trustProxy = (value: string | boolean | number) =>
  typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;

/**
 * The Nest application on Fastify: routes match case-insensitively and with a trailing slash (the
 * router's own options; routes are registered as declared, never rewritten), long path parameters
 * (preview tokens) are allowed, keep-alive idles out after Node's 5 s, helmet's headers go on every
 * route but the preview's (`@PreviewHeaders`), and bodies are read as each route's `@BodyLimit`
 * says. Fastify sends no ETag and no x-powered-by.
 */
export async function createFastifyApp(module: object, config: AppConfig) {
  const adapter = new FastifyAdapter({
    trustProxy: trustProxy(config.http.trustProxy),
    keepAliveTimeout: 5_000,
    routerOptions: { caseSensitive: false, ignoreTrailingSlash: true, maxParamLength: 16_384 },
    // pino-http keeps an id the request already has, and Fastify gives every request one: make it ours.
    genReqId: pickRequestId,
  });
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  const headers = securityHeaders();
  const site = ConsoleSite.load(consoleDir());
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.raw.setHeader('X-Request-Id', request.id);
    const q = request.url.indexOf('?');
    const path = q === -1 ? request.url : request.url.slice(0, q);
    const page = site.answer(request.method, path, consoleRequestHeaders(request.raw));
    if (page) {
      // The console's files answer here (without calling done): they are not API routes.
      reply.hijack();
      writeConsoleAnswer(reply.raw, page);
      return;
    }
    const own = routeConfigOf<OwnHeaders>(request, OWN_HEADERS);
    headers(own, path, request.raw, reply.raw, (err) => done(err as Error | undefined));
  });
  // One parser for every content type; each route's `@BodyLimit` says what it reads (body-parser.ts).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', bodyParser(config.http));
  return app;
}
