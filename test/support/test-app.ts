import childProcesses, { fork, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database.js';
import { HttpClient } from './http-client.js';

/** The service under test, reached over a real socket on loopback. */
export interface TestApp {
  baseUrl: string;
  http: HttpClient;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The service as a process of its own, for the tests about the process: signals, exit, its output. */
export interface TestProcess extends TestApp {
  process: ChildProcess;
  /** Everything the server printed, for failure messages and the tests about logs. */
  output(): string;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const MAIN = resolve('dist/main.js');
const HOST = resolve('test/support/app-host.mjs');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer().on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

/** The environment a test's service starts with: its database, its own data folder, `env` on top. */
function serviceEnv(database: TestDatabase, env: Record<string, string>): Record<string, string> {
  const dataDir = mkdtempSync(join(tmpdir(), 'aeio-test-data-'));
  chmodSync(dataDir, 0o755);
  return {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    JWT_SECRET: TEST_JWT_SECRET,
    DATA_DIR: dataDir,
    // Generous by default so tests that are not about rate limits never hit one.
    THROTTLE_AUTH_LIMIT: '100000',
    THROTTLE_AUTH_FAILURE_LIMIT: '100000',
    THROTTLE_LIMIT_FREE: '100000',
    // Replicas of one test share a database and so a Redis namespace; other tests do not.
    REDIS_PREFIX: `test:${new URL(database.url).pathname.slice(1)}:`,
    ...env,
    DATABASE_URL: database.url,
  };
}

interface Host {
  child: ChildProcess;
  ready: Promise<void>;
  pending: Map<string, { resolve: (m: HostReply) => void; reject: (e: Error) => void }>;
  log: string;
}
interface HostReply {
  id?: string;
  ready?: boolean;
  port?: number;
  error?: string;
}

// Jest gives each test file its own module registry and globals, but Node's built-in modules are the
// same objects for every file a worker runs: the worker's app host is kept on one of them, so it is
// started once per worker and reused by every file that worker runs.
const HOST_KEY = Symbol.for('aeio.test.app-host');
const shared = childProcesses as unknown as Record<symbol, Host | undefined>;

function appHost(): Host {
  const running = shared[HOST_KEY];
  if (running && running.child.exitCode === null && running.child.connected) {
    return running;
  }
  const child = fork(HOST, [], {
    execArgv: [],
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const host: Host = { child, pending: new Map(), log: '', ready: Promise.resolve() };
  // Only the latest output is kept: it is there to explain a failed start.
  const keep = (d: Buffer) => (host.log = (host.log + d.toString()).slice(-20_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  host.ready = new Promise((res, rej) => {
    child.once('message', (m: HostReply) => (m.ready ? res() : rej(new Error(String(m.error)))));
    child.once('exit', (code) => rej(new Error(`app host exited with ${code}:\n${host.log}`)));
  });
  child.on('message', (m: HostReply) => {
    const waiter = m.id ? host.pending.get(m.id) : undefined;
    host.pending.delete(m.id ?? '');
    waiter?.resolve(m);
  });
  child.on('exit', (code) => {
    for (const waiter of host.pending.values()) {
      waiter.reject(new Error(`app host exited with ${code}:\n${host.log}`));
    }
    host.pending.clear();
  });
  // The host must not keep a worker alive that has nothing else to do; it exits with the worker.
  child.unref();
  (child as unknown as { channel?: { unref(): void } }).channel?.unref();
  for (const pipe of [child.stdout, child.stderr]) {
    (pipe as unknown as { unref?: () => void } | null)?.unref?.();
  }
  shared[HOST_KEY] = host;
  return host;
}

async function ask(host: Host, message: { op: string; id: string; env?: object }) {
  await host.ready;
  const reply = new Promise<HostReply>((res, rej) =>
    host.pending.set(message.id, { resolve: res, reject: rej }),
  );
  host.child.send(message);
  const answer = await reply;
  if (answer.error) {
    throw new Error(`${message.op} failed in the app host: ${answer.error}\n${host.log}`);
  }
  return answer;
}

/**
 * Starts the built service (`dist/`, through the same `createApp` as `npm start`) on its own database
 * (a copy of the run's migrated template unless `db` is given) and a free port on loopback, inside
 * this Jest worker's app host (test/support/app-host.mjs). `AEIO_TEST_APPS=process` starts each as
 * a process of its own instead, as `startTestProcess` does.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  db?: TestDatabase,
): Promise<TestApp> {
  if (process.env.AEIO_TEST_APPS === 'process') {
    return startTestProcess(env, db);
  }
  const database = db ?? (await createTestDatabase());
  const host = appHost();
  const id = randomBytes(8).toString('hex');
  let port: number;
  try {
    ({ port } = (await ask(host, { op: 'start', id, env: serviceEnv(database, env) })) as {
      port: number;
    });
  } catch (err) {
    if (!db) {
      await database.drop();
    }
    throw err;
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    http: new HttpClient(baseUrl),
    db: database,
    close: async () => {
      await ask(host, { op: 'stop', id });
      if (!db) {
        await database.drop();
      }
    },
  };
}

/** Loading Nest and the app takes ~2 s of CPU; on a 2-core machine shared with other work, far longer. */
const HEALTH_WAIT_MS = 90_000;

async function waitForHealth(
  http: HttpClient,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + HEALTH_WAIT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`server exited with ${child.exitCode}:\n${output()}`);
    }
    try {
      if ((await http.get('/api/health')).status === 200) {
        return;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server did not become healthy in ${HEALTH_WAIT_MS / 1000} s:\n${output()}`);
}

/**
 * Starts the built service as `npm start` runs it (`node dist/main.js`), a real process of its own, on
 * its own database and a free port: for the tests where the process is the subject (signals,
 * crashes, replicas, what it logs).
 */
export async function startTestProcess(
  env: Record<string, string> = {},
  db?: TestDatabase,
): Promise<TestProcess> {
  const database = db ?? (await createTestDatabase());
  const port = await freePort();
  const childEnv: Record<string, string> = { ...serviceEnv(database, env), PORT: String(port) };
  let log = '';
  const child = spawn(process.execPath, [MAIN], {
    env: childEnv,
    cwd: childEnv.DATA_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  const http = new HttpClient(baseUrl);
  const output = () => log;
  try {
    await waitForHealth(http, child, output);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  return {
    baseUrl,
    http,
    db: database,
    process: child,
    output,
    close: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        const timer = new Promise((r) => setTimeout(r, 10_000).unref());
        await Promise.race([exited, timer]);
        if (child.exitCode === null) {
          child.kill('SIGKILL');
        }
      }
      if (!db) {
        await database.drop();
      }
    },
  };
}
