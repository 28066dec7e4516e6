import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, streamed } from '../support/fake-openai.js';
import { createSession, registerUser } from '../support/factories.js';
import { HttpClient } from '../support/http-client.js';
import { freePort, startTestProcess, TEST_JWT_SECRET } from '../support/test-app.js';

const exitOf = (child: {
  exitCode: number | null;
  once(e: 'exit', cb: (code: number | null) => void): unknown;
}) =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise<number | null>((r) => child.once('exit', r));

describe('graceful shutdown on SIGTERM', () => {
  const fake = new FakeOpenAi(() => ({ kind: 'hang' }));
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('lets a short request finish, fails the running turn as interrupted by shutdown, and exits 0', async () => {
    const t = await startTestProcess(llmEnv(fake, { SHUTDOWN_GRACE_MS: '5000' }));
    try {
      const user = await registerUser(t.http);
      const sessionId = await createSession(t.http, user.token);
      // A turn that would run for ever: the provider streams a tool call very slowly.
      fake.script = () =>
        streamed(
          callTools(
            [{ name: 'write_file', args: { filename: 'a.txt', content: 'x'.repeat(2000) } }],
            400,
          ),
          {
            delayMs: 100,
          },
        );
      const turn = postMessage(t.http, user.token, sessionId, 'long job');
      await eventually(async () => (fake.requests.length > 0 ? true : undefined));

      // A request whose body is still arriving when SIGTERM comes.
      const body = JSON.stringify({ content: '<h1>saved during shutdown</h1>' });
      const url = new URL(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/files/late.html`);
      const slow = new Promise<{ status: number; body: string }>((res, rej) => {
        const req = request(
          url,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${user.token}`,
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(body),
            },
          },
          (r) => {
            let text = '';
            r.on('data', (d: Buffer) => (text += d.toString()));
            r.on('end', () => res({ status: r.statusCode ?? 0, body: text }));
          },
        );
        req.on('error', rej);
        req.write(body.slice(0, 10));
        setTimeout(() => req.end(body.slice(10)), 700);
      });
      await new Promise((r) => setTimeout(r, 200));
      t.process.kill('SIGTERM');

      const late = await slow;
      expect(late.status).toBe(200);
      const res = await turn;
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'interrupted' });
      expect(res.body.content).toMatch(/Interrupted by shutdown/);
      expect(await exitOf(t.process)).toBe(0);

      const rows = await t.db.query<{ path: string }>(
        `SELECT path FROM sandbox_files WHERE session_id = $1`,
        [sessionId],
      );
      expect(rows.map((r) => r.path)).toEqual(['late.html']);
      const steps = await t.db.query<{ status: string }>(`SELECT status FROM execution_steps`);
      expect(steps.every((s) => s.status === 'failed')).toBe(true);
      expect(t.output()).toMatch(/SIGTERM: shutting down/);
      expect(t.output()).toMatch(/shutdown complete/);
    } finally {
      await t.close();
    }
  });

  it('refuses new connections once it is shutting down', async () => {
    const t = await startTestProcess();
    try {
      t.process.kill('SIGTERM');
      expect(await exitOf(t.process)).toBe(0);
      await expect(t.http.get('/api/health')).rejects.toThrow();
    } finally {
      await t.close();
    }
  });
});

describe('graceful shutdown with the embedded PostgreSQL', () => {
  it('stops the embedded database it started, and keeps its data for the next start', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aeio-embedded-'));
    chmodSync(dataDir, 0o755);
    const start = async () => {
      const port = await freePort();
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        HOST: '127.0.0.1',
        PORT: String(port),
        DATA_DIR: dataDir,
        JWT_SECRET: TEST_JWT_SECRET,
      };
      const child = spawn(process.execPath, [resolve('dist/main.js')], {
        env,
        cwd: dataDir,
        stdio: 'ignore',
      });
      const http = new HttpClient(`http://127.0.0.1:${port}`);
      await eventually(
        async () =>
          (await http.get('/api/health').catch(() => ({ status: 0 }))).status === 200
            ? true
            : undefined,
        30_000,
        'the embedded-database server to start',
      );
      return { child, http };
    };

    const first = await start();
    const user = await registerUser(first.http);
    const pidFile = join(dataDir, 'postgres', 'cluster', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    first.child.kill('SIGTERM');
    expect(await exitOf(first.child)).toBe(0);
    expect(existsSync(pidFile)).toBe(false);

    const second = await start();
    try {
      const login = await second.http.post('/api/auth/login', {
        body: { username: user.username, password: user.password },
      });
      expect(login.status).toBe(200);
    } finally {
      second.child.kill('SIGTERM');
      expect(await exitOf(second.child)).toBe(0);
    }
  });
});
