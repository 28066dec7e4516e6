import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage, untilFirstStep } from '../support/agent-helpers.js';
import { runCli } from '../support/cli.js';
import { callTools, FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { openSseGet } from '../support/sse-client.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A run that takes a few seconds: a file streamed slowly, then a slow answer. */
const slowRun = (fake: FakeOpenAi) => {
  const offset = fake.requests.length;
  fake.script = (_req, n) =>
    n - offset === 0
      ? streamed(
          callTools(
            [{ name: 'write_file', args: { filename: 'index.html', content: 'w'.repeat(3000) } }],
            30,
          ),
          {
            delayMs: 60,
          },
        )
      : streamed(say('Built it from one replica, watched from the other.', 6), { delayMs: 80 });
};

describe.each([
  ['Redis', { REDIS_URL }],
  ['PostgreSQL LISTEN/NOTIFY', {}],
])('two replicas on one database (%s)', (_label, transportEnv: Record<string, string>) => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let a: TestProcess;
  let b: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    const env = {
      ...llmEnv(fake),
      ...transportEnv,
      THROTTLE_LIMIT_FREE: '1000',
    };
    a = await startTestProcess(env);
    b = await startTestProcess(env, a.db);
    user = await registerUser(a.http);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await fake.close();
  });

  it('follows a run started on one replica live from the other, steps replayed first', async () => {
    const sessionId = await createSession(a.http, user.token);
    slowRun(fake);
    const running = postMessage(a.http, user.token, sessionId, 'build');
    // Join once the run has a step, so there is something to replay.
    await untilFirstStep(b.http, user.token, sessionId);
    const sse = await openSseGet(
      `${b.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await sse.all();
    const res = await running;
    expect(res.status).toBe(200);

    expect(events[0].event).toBe('step');
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: expect.objectContaining({ id: res.body.id, status: 'completed' }),
    });
    const steps = events.filter((e) => e.event === 'step').map((e) => e.data);
    expect(steps.at(-1)).toMatchObject({
      status: 'completed',
      progress: 100,
      tool_name: 'write_file',
    });
    // Live progress came through, in order: never backwards.
    const ranks = steps.map(
      (s) =>
        ({ pending: 0, running: 1, completed: 2, failed: 2 })[s.status as 'pending'] * 1000 +
        s.progress,
    );
    expect([...ranks].sort((x, y) => x - y)).toEqual(ranks);
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.content)
      .join('');
    expect(text.length).toBeGreaterThan(0);
    expect('Built it from one replica, watched from the other.'.endsWith(text)).toBe(true);
  });

  it('stops a run on one replica when the cancel is sent to the other', async () => {
    const sessionId = await createSession(a.http, user.token);
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(
            callTools(
              [{ name: 'write_file', args: { filename: 'x.txt', content: 'c'.repeat(5000) } }],
              200,
            ),
            {
              delayMs: 50,
            },
          )
        : streamed(say('not reached'));
    const running = postMessage(a.http, user.token, sessionId, 'long');
    await eventually(async () => (fake.requests.length > offset ? true : undefined));
    const cancel = await b.http.post(`/api/sessions/${sessionId}/messages/latest/cancel`, {
      token: user.token,
    });
    expect(cancel.status).toBe(200);
    const started = Date.now();
    const res = await running;
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('answers the events of a finished turn with its steps and done, then closes', async () => {
    const sessionId = await createSession(a.http, user.token);
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(callTools([{ name: 'list_files', args: {} }]))
        : streamed(say('Listed.'));
    await postMessage(a.http, user.token, sessionId, 'list');
    const sse = await openSseGet(
      `${b.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    const events = await sse.all();
    expect(events.map((e) => e.event)).toEqual(['step', 'done']);
    expect(events[1].data).toMatchObject({ status: 'completed', content: 'Listed.' });
  });

  it('refuses a user disabled through one replica on the other at once', async () => {
    const registered = await a.http.post('/api/auth/register', {
      body: { username: 'root_admin', email: 'root@example.com', password: 'admin-password' },
    });
    expect(registered.status).toBe(201);
    // Registering confers no role: the operator makes the admin.
    expect((await runCli('admin-promote', ['root_admin'], { DATABASE_URL: a.db.url })).code).toBe(
      0,
    );
    const adminToken = registered.body.access_token as string;
    const victim = await registerUser(b.http);
    expect((await b.http.get('/api/sessions', { token: victim.token })).status).toBe(200);
    const patched = await a.http.patch(`/api/admin/users/${victim.id}`, {
      token: adminToken,
      body: { disabled: true },
    });
    expect(patched.status).toBe(200);
    const status = await eventually(
      async () => {
        const res = await b.http.get('/api/sessions', { token: victim.token });
        return res.status === 401 ? res.status : undefined;
      },
      1000,
      'the other replica to refuse the disabled user',
    );
    expect(status).toBe(401);
  });

  it('answers 404 on one replica for a session deleted through the other', async () => {
    const sessionId = await createSession(a.http, user.token);
    expect(
      (await b.http.get(`/api/sessions/${sessionId}/sandbox/files`, { token: user.token })).status,
    ).toBe(200);
    expect((await a.http.delete(`/api/sessions/${sessionId}`, { token: user.token })).status).toBe(
      200,
    );
    const status = await eventually(
      async () => {
        const res = await b.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
          token: user.token,
        });
        return res.status === 404 ? res.status : undefined;
      },
      1000,
      'the other replica to forget the deleted session',
    );
    expect(status).toBe(404);
  });

  it('answers 404 {"detail"} for events of a session with no turn, 403 for another user', async () => {
    const sessionId = await createSession(a.http, user.token);
    const none = await b.http.get(`/api/sessions/${sessionId}/messages/latest/events`, {
      token: user.token,
    });
    expect(none.status).toBe(404);
    expect(none.body).toEqual({ detail: expect.any(String) });
    const other = await registerUser(b.http);
    const foreign = await b.http.get(`/api/sessions/${sessionId}/messages/latest/events`, {
      token: other.token,
    });
    expect(foreign.status).toBe(403);
  });
});

describe('a rate limit shared by two replicas through Redis', () => {
  let a: TestProcess;
  let b: TestProcess;
  beforeAll(async () => {
    const env = {
      REDIS_URL,
      THROTTLE_LIMIT_FREE: '4',
      THROTTLE_AUTH_LIMIT: '1000',
      THROTTLE_TTL_MS: '60000',
    };
    a = await startTestProcess(env);
    b = await startTestProcess(env, a.db);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('counts a user’s requests on both replicas against one limit', async () => {
    const user = await registerUser(a.http);
    const statuses: number[] = [];
    for (const app of [a, b, a, b, a, b]) {
      statuses.push((await app.http.get('/api/sessions', { token: user.token })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const limited = await b.http.get('/api/sessions', { token: user.token });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another user is counted apart.
    const other = await registerUser(b.http);
    expect((await a.http.get('/api/sessions', { token: other.token })).status).toBe(200);
  });

  it('reports Redis in readiness', async () => {
    const res = await a.http.get('/api/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'ok',
      info: { database: { status: 'up' }, redis: { status: 'up' } },
    });
  });
});
