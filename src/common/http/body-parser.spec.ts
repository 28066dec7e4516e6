import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { HttpException } from '@nestjs/common';
import { FASTIFY_ROUTE_CONFIG_METADATA } from '@nestjs/platform-fastify/constants.js';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AppConfig } from '../../config/app-config.js';
import { BodyLimit } from './body-limit.decorator.js';
import { bodyParser } from './body-parser.js';
import { PreviewHeaders } from './security-headers.js';

const http = {
  bodyLimitBytes: 300,
  bodyLimitMessageBytes: 200,
  bodyLimitDefaultBytes: 100,
} as AppConfig['http'];

/** Handlers declared as controllers declare them; their Fastify `config` is what Nest would pass on. */
class Routes {
  plain() {}

  @BodyLimit((h) => h.bodyLimitBytes)
  fromConfig() {}

  @BodyLimit(50, { type: 'text/plain' })
  @PreviewHeaders({ anyOrigin: true })
  report() {}

  @BodyLimit(400, { parser: 'raw', type: 'application/zip' })
  archive() {}
}

const configOf = (name: keyof Routes): Record<string, unknown> =>
  Reflect.getMetadata(FASTIFY_ROUTE_CONFIG_METADATA, Routes.prototype[name]) as Record<
    string,
    unknown
  >;

describe('per-route body limits (@BodyLimit read by the body parser)', () => {
  let app: FastifyInstance;
  let base: string;
  beforeAll(async () => {
    app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', bodyParser(http));
    app.setErrorHandler((err, _req, reply) => {
      const status = err instanceof HttpException ? err.getStatus() : 500;
      void reply.code(status).send({ error: String(err) });
    });
    const echo = async (req: { body: unknown }) => ({
      body: Buffer.isBuffer(req.body) ? `buffer:${req.body.length}` : (req.body ?? null),
    });
    for (const name of ['plain', 'fromConfig', 'report', 'archive'] as const) {
      app.post(`/${name}`, { config: name === 'plain' ? {} : configOf(name) }, echo);
    }
    // Over a socket: Fastify's `inject` (light-my-request) cannot be loaded under Jest on Node 20.
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  const post = async (path: string, body: string | Buffer, type = 'application/json') => {
    const res = await fetch(base + path, {
      method: 'POST',
      body,
      headers: { 'content-type': type },
    });
    return { statusCode: res.status, json: () => res.json() };
  };
  const json = (bytes: number) => `{"a":"${'x'.repeat(bytes - 8)}"}`;

  it('reads JSON up to the default limit on a route without a rule, and refuses one byte more', async () => {
    expect((await post('/plain', json(100))).statusCode).toBe(200);
    expect((await post('/plain', json(101))).statusCode).toBe(413);
  });

  it('takes a limit that is configuration from the config the parser was built with', async () => {
    expect((await post('/fromConfig', json(300))).statusCode).toBe(200);
    expect((await post('/fromConfig', json(301))).statusCode).toBe(413);
  });

  it('reads only the declared content type, as JSON or as raw bytes', async () => {
    const report = await post('/report', '{"kind":"x"}', 'text/plain; charset=utf-8');
    expect(await report.json()).toEqual({ body: { kind: 'x' } });
    // JSON sent to a text/plain route is not read at all.
    expect(await (await post('/report', '{"kind":"x"}')).json()).toEqual({ body: null });
    const zip = await post('/archive', Buffer.alloc(400), 'application/zip');
    expect(await zip.json()).toEqual({ body: 'buffer:400' });
    expect((await post('/archive', Buffer.alloc(401), 'application/zip')).statusCode).toBe(413);
  });

  it('keeps every decorator’s entry in the route config', () => {
    expect(configOf('report')).toEqual({
      bodyRule: { limit: 50, parser: 'json', type: 'text/plain' },
      ownHeaders: { anyOrigin: true },
    });
  });
});
