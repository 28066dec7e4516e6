import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestDatabase, type TestDatabase } from './database.js';
import { HttpClient } from './http-client.js';

export interface TestApp {
  baseUrl: string;
  http: HttpClient;
  db: TestDatabase;
  process: ChildProcess;
  /** Everything the server printed, for failure messages. */
  output(): string;
  close(): Promise<void>;
}

export const TEST_JWT_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
const MAIN = resolve('dist/main.js');

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer().on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

async function waitForHealth(
  http: HttpClient,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000;
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
  throw new Error(`server did not become healthy in 30 s:\n${output()}`);
}

/**
 * Starts the built service (`dist/main.js`, as `npm start` runs it) as a real process on its own fresh
 * database and a free port on loopback. NestJS 12 is ESM-only and some Nest packages are still CommonJS,
 * which Jest's module loader cannot mix on Node 20, so the app always runs outside the Jest VM.
 */
export async function startTestApp(
  env: Record<string, string> = {},
  db?: TestDatabase,
): Promise<TestApp> {
  const database = db ?? (await createTestDatabase());
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'aeio-test-data-'));
  chmodSync(dataDir, 0o755);
  let log = '';
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      JWT_SECRET: TEST_JWT_SECRET,
      DATA_DIR: dataDir,
      // Generous by default so tests that are not about rate limits never hit one.
      THROTTLE_AUTH_LIMIT: '100000',
      THROTTLE_AUTH_FAILURE_LIMIT: '100000',
      THROTTLE_LIMIT_FREE: '100000',
      // Replicas of one test share a database and so a Redis namespace; other tests do not.
      REDIS_PREFIX: `test:${new URL(database.url).pathname.slice(1)}:`,
      // `HTTP_ADAPTER=express npm test` runs the whole suite on the other adapter.
      ...(process.env.HTTP_ADAPTER ? { HTTP_ADAPTER: process.env.HTTP_ADAPTER } : {}),
      ...env,
      DATABASE_URL: database.url,
    },
    cwd: dataDir,
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
