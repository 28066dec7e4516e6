import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AppConfig } from '../../../config/app-config.js';
import { pickRequestId } from '../../logging/request-id.js';
import { securityHeaders } from '../security-headers.js';
import { bodyParser, largestLimit } from './fastify-body.js';
import {
  ConsoleSite,
  consoleDir,
  consoleRequestHeaders,
  writeConsoleAnswer,
} from '../console-site.js';

/** `TRUST_PROXY` as Express reads it: a number n trusts the n nearest hops. */
const trustProxy = (value: string | boolean | number) =>
  typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;

/**
 * The service on Fastify, answering as it does on Express: routes match case-insensitively and with a
 * trailing slash, long path parameters (preview tokens) are allowed, keep-alive idles out after Node's
 * 5 s, helmet's headers go on API routes, and bodies are read with the per-route rules and limits (JSON,
 * text/plain JSON for the preview's error reports, raw application/zip imports).
 * Fastify sends no ETag and no x-powered-by.
 */
export async function createFastifyApp(module: object, config: AppConfig) {
  const limits = {
    fileWriteBytes: config.http.bodyLimitBytes,
    messageBytes: config.http.bodyLimitMessageBytes,
    defaultBytes: config.http.bodyLimitDefaultBytes,
  };
  const adapter = new FastifyAdapter({
    trustProxy: trustProxy(config.http.trustProxy),
    keepAliveTimeout: 5_000,
    // The parser enforces each route's own limit; this only has to let the largest through.
    bodyLimit: largestLimit(limits),
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
      // The console's files answer before routing (and without calling done): they are not API routes.
      reply.hijack();
      writeConsoleAnswer(reply.raw, page);
      return;
    }
    headers(path, request.raw, reply.raw, (err) => done(err as Error | undefined));
  });
  fastify.addHook('onRoute', function (route) {
    // Nest hands over path-to-regexp paths; find-my-way spells a wildcard `*` and has no `{…}`.
    const optionalTail = /\{\/\*\w+\}$/;
    if (optionalTail.test(route.url)) {
      route.url = route.url.replace(optionalTail, '');
      // The HEAD route Fastify adds beside a GET comes through here too; the tail's GET brings its own.
      if (route.method !== 'HEAD') {
        this.route({
          method: route.method,
          url: `${route.url}/*`,
          handler: route.handler,
          constraints: route.constraints,
          config: route.config,
        });
      }
    }
    route.url = route.url.replace(/\*\w+$/, '*');
  });
  // One parser for every content type, reading what the route's rule says (see `fastify-body.ts`):
  // JSON, the preview reporter's text/plain JSON, raw application/zip archives; others are not read.
  const parse = bodyParser(limits);
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', parse);
  return { app, afterInit: () => undefined };
}
