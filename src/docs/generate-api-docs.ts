import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from '../app.module.js';
import { loadConfig } from '../config/app-config.js';
import { renderApiDocs, type OpenApiDocument } from './render-api-docs.js';

const TARGET = 'docs/api.md';

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
    { preview: true, logger: false },
  );
  app.setGlobalPrefix('api');
  const doc = SwaggerModule.createDocument(app, new DocumentBuilder().addBearerAuth().build());
  await app.close();
  const text = renderApiDocs(doc as unknown as OpenApiDocument);
  if (process.argv.includes('--check')) {
    const current = readFileSync(TARGET, 'utf8');
    if (current !== text) {
      console.error(`${TARGET} is out of date: run npm run docs:api`);
      process.exitCode = 1;
    }
    return;
  }
  writeFileSync(TARGET, text);
  console.log(`wrote ${TARGET}`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(2);
});
