import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { AppModule } from '../app.module.js';
import { createOpenApiDocument } from '../common/openapi/openapi-document.js';
import { loadConfig } from '../config/app-config.js';
import { renderApiDocs, type OpenApiDocument } from './render-api-docs.js';

const TARGET = 'docs/api.md';
/** The document itself, for integrators' generators and the console's typed client (`web/src/api/schema.d.ts`). */
const DOCUMENT = 'docs/openapi.json';

/**
 * `npm run docs:api` writes docs/api.md; `-- --check` exits 1 when it is out of date. The app is built
 * in Nest's preview mode, which maps the routes without creating providers: no database is needed.
 */
async function main(): Promise<void> {
  const config = loadConfig({});
  // Never connected to in preview mode; the module only needs a URL to be built.
  const url = 'postgres://unused@127.0.0.1:1/unused';
  const app = await NestFactory.create(
    AppModule.forRoot({ ...config, database: { ...config.database, url } }),
    new FastifyAdapter(),
    { preview: true, logger: false },
  );
  app.setGlobalPrefix('api');
  const doc = createOpenApiDocument(app);
  await app.close();
  const outputs: [string, string][] = [
    [TARGET, renderApiDocs(doc as unknown as OpenApiDocument)],
    [DOCUMENT, `${JSON.stringify(doc, null, 2)}\n`],
  ];
  for (const [file, text] of outputs) {
    if (process.argv.includes('--check')) {
      if (readFileSync(file, 'utf8') !== text) {
        console.error(`${file} is out of date: run npm run docs:api`);
        process.exitCode = 1;
      }
    } else {
      writeFileSync(file, text);
      console.log(`wrote ${file}`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
