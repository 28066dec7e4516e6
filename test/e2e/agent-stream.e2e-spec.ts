import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  eventually,
  llmEnv,
  postMessage,
  steps,
  untilFirstStep,
} from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { openSse, openSseGet } from '../support/sse-client.js';
import { startTestApp, startTestProcess, type TestApp } from '../support/test-app.js';

describe('streamed runs, concurrency and cancel', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake, { SSE_HEARTBEAT_MS: '150' }));
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const script = (reply: (n: number) => Reply) => fake.scriptFromNow(reply);
  const messagesUrl = (sessionId: string) => `${t.baseUrl}/api/sessions/${sessionId}/messages`;

  it('streams user_message, step, delta and done events as SSE, with heartbeats', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 0
        ? streamed(
            callTools([
              { name: 'write_file', args: { filename: 'index.html', content: '<h1>hi</h1>' } },
            ]),
            {
              delayMs: 40,
            },
          )
        : streamed(say('Done: one page.', 3), { delayMs: 120 }),
    );
    const sse = await openSse(messagesUrl(sessionId), user.token, {
      content: 'make a page',
      stream: true,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = await sse.all();
    const names = events.map((e) => e.event);
    expect(names[0]).toBe('user_message');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names)).toEqual(new Set(['user_message', 'step', 'delta', 'done']));
    expect(events[0].data).toMatchObject({
      role: 'user',
      content: 'make a page',
      session_id: sessionId,
    });

    const stepEvents = events.filter((e) => e.event === 'step').map((e) => e.data);
    expect(stepEvents[0]).toMatchObject({
      status: 'pending',
      progress: 0,
      tool_name: 'write_file',
    });
    expect(stepEvents.map((s) => s.status)).toEqual(
      expect.arrayContaining(['pending', 'running', 'completed']),
    );
    expect(stepEvents.at(-1)).toMatchObject({
      status: 'completed',
      progress: 100,
      tool_arguments: { filename: 'index.html', content_bytes: 11 },
    });
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.content)
      .join('');
    expect(text).toBe('Done: one page.');
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({
      role: 'assistant',
      status: 'completed',
      content: 'Done: one page.',
    });
    expect(sse.comments.length).toBeGreaterThan(0);

    const stored = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(stored.body.at(-1)).toMatchObject({ id: done.id, status: 'completed' });
  });

  it('streams an error event {"detail"} when the provider fails', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => ({ kind: 'status', status: 500 }));
    const sse = await openSse(messagesUrl(sessionId), user.token, { content: 'x', stream: true });
    const events = await sse.all();
    expect(events.map((e) => e.event)).toEqual(['user_message', 'error']);
    expect(events[1].data).toEqual({ detail: expect.stringMatching(/HTTP 500/) });
  });

  it('answers errors before the stream starts as plain JSON (409 while a run is going)', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => streamed(say('slow answer '.repeat(10), 20), { delayMs: 100 }));
    const first = postMessage(t.http, user.token, sessionId, 'first');
    await eventually(async () => ((await runningCount(sessionId)) === 1 ? true : undefined));
    const second = await postMessage(t.http, user.token, sessionId, 'second');
    expect(second.status).toBe(409);
    expect(second.body).toEqual({ detail: expect.stringMatching(/already running/) });
    const streamedSecond = await t.http.post(`/api/sessions/${sessionId}/messages`, {
      token: user.token,
      body: { content: 'third', stream: true },
    });
    expect(streamedSecond.status).toBe(409);
    expect(streamedSecond.headers.get('content-type')).toMatch(/application\/json/);
    expect((await first).status).toBe(200);
    // The refused turns left no messages behind.
    const stored = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(stored.body.map((m: any) => m.content)).toEqual(['first', 'slow answer '.repeat(10)]);
  });

  it('lets exactly one of two simultaneous POSTs run (the other 409)', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => streamed(say('ok', 2), { delayMs: 200 }));
    const results = await Promise.all([
      postMessage(t.http, user.token, sessionId, 'a'),
      postMessage(t.http, user.token, sessionId, 'b'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
  });

  it('keeps running and stores the result when the streaming client disconnects', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 0
        ? streamed(
            callTools(
              [{ name: 'write_file', args: { filename: 'index.html', content: 'z'.repeat(3000) } }],
              20,
            ),
            {
              delayMs: 50,
            },
          )
        : streamed(say('Finished without you.'), { delayMs: 50 }),
    );
    const sse = await openSse(messagesUrl(sessionId), user.token, { content: 'go', stream: true });
    expect((await sse.next())?.event).toBe('user_message');
    expect((await sse.next())?.event).toBe('step');
    sse.abort();
    const message = await eventually(async () => {
      const res = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
      const last = res.body.at(-1);
      return last.role === 'assistant' && last.status !== 'running' ? last : undefined;
    });
    expect(message).toMatchObject({ status: 'completed', content: 'Finished without you.' });
    const file = await t.http.get(`/api/sessions/${sessionId}/sandbox/files/index.html`, {
      token: user.token,
    });
    expect(file.body.size).toBe(3000);
  });

  it('cancels a running turn: it ends failed as cancelled and the session takes new messages', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 0
        ? streamed(
            callTools(
              [{ name: 'write_file', args: { filename: 'a.txt', content: 'q'.repeat(4000) } }],
              100,
            ),
            {
              delayMs: 50,
            },
          )
        : streamed(say('never reached')),
    );
    const running = postMessage(t.http, user.token, sessionId, 'long job');
    await untilFirstStep(t.http, user.token, sessionId);
    const cancel = await t.http.post(`/api/sessions/${sessionId}/messages/latest/cancel`, {
      token: user.token,
    });
    expect(cancel.status).toBe(200);
    expect(cancel.body).toMatchObject({
      message: 'Cancellation requested',
      message_id: expect.any(Number),
    });
    const res = await running;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'cancelled' });
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.every((s) => s.status === 'failed' && s.progress === 100)).toBe(true);
    const files = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
      token: user.token,
    });
    expect(files.body.files).toEqual([]);

    script(() => streamed(say('Back again.')));
    const next = await postMessage(t.http, user.token, sessionId, 'hello again');
    expect(next.status).toBe(200);
    expect(next.body.status).toBe('completed');
  });

  it('opens a follower’s stream at once, before the turn has a step or a word to show', async () => {
    const sessionId = await createSession(t.http, user.token);
    // The model accepts the request and then sends nothing: no step, no delta for the follower.
    script(() => streamed(say('never sent'), { stallAfter: 0 }));
    const running = postMessage(t.http, user.token, sessionId, 'think hard');
    await eventually(async () => {
      const list = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
      return list.body.at(-1)?.status === 'running' ? true : undefined;
    });
    const follower = await Promise.race([
      openSseGet(`${messagesUrl(sessionId)}/latest/events`, user.token),
      new Promise<null>((r) => setTimeout(() => r(null), 3000)),
    ]);
    expect(follower).not.toBeNull();
    expect(follower!.status).toBe(200);
    expect(follower!.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const cancel = await t.http.post(`/api/sessions/${sessionId}/messages/latest/cancel`, {
      token: user.token,
    });
    expect(cancel.status).toBe(200);
    expect((await follower!.all()).at(-1)).toMatchObject({
      event: 'done',
      data: { status: 'failed', finish_reason: 'cancelled' },
    });
    expect((await running).body).toMatchObject({ finish_reason: 'cancelled' });
  });

  it('answers 409 to a cancel when nothing runs, 403/404 for foreign or unknown sessions', async () => {
    const sessionId = await createSession(t.http, user.token);
    const idle = await t.http.post(`/api/sessions/${sessionId}/messages/latest/cancel`, {
      token: user.token,
    });
    expect(idle.status).toBe(409);
    expect(idle.body).toEqual({ detail: expect.any(String) });
    const other = await registerUser(t.http);
    const foreign = await t.http.post(`/api/sessions/${sessionId}/messages/latest/cancel`, {
      token: other.token,
    });
    expect(foreign.status).toBe(403);
    const unknown = await t.http.post(`/api/sessions/${'0'.repeat(32)}/messages/latest/cancel`, {
      token: user.token,
    });
    expect(unknown.status).toBe(404);
    const foreignPost = await postMessage(t.http, other.token, sessionId, 'not mine');
    expect(foreignPost.status).toBe(403);
  });

  async function runningCount(sessionId: string): Promise<number> {
    const rows = await t.db.query<{ n: string }>(
      `SELECT count(*) AS n FROM messages WHERE session_id = $1 AND status = 'running'`,
      [sessionId],
    );
    return Number(rows[0].n);
  }
});

describe('a run whose process dies', () => {
  const fake = new FakeOpenAi(() => ({ kind: 'hang' }));
  beforeAll(() => fake.start());
  afterAll(() => fake.close());

  it('ends up failed as interrupted after a restart, and the session takes new messages', async () => {
    const env = llmEnv(fake, { AGENT_STALE_RUN_MS: '1500', OPENAI_TIMEOUT_MS: '60000' });
    const first = await startTestProcess(env);
    const user = await registerUser(first.http);
    const sessionId = await createSession(first.http, user.token);
    void postMessage(first.http, user.token, sessionId, 'build').catch(() => undefined);
    await eventually(async () => (fake.requests.length > 0 ? true : undefined));
    first.process.kill('SIGKILL');
    await new Promise((r) => first.process.once('exit', r));

    const second = await startTestApp(env, first.db);
    try {
      const message = await eventually(
        async () => {
          const rows = await first.db.query<{
            status: string;
            finish_reason: string;
            content: string;
          }>(
            `SELECT status, finish_reason, content FROM messages WHERE session_id = $1 AND role = 'assistant'`,
            [sessionId],
          );
          return rows[0]?.status === 'failed' ? rows[0] : undefined;
        },
        15_000,
        'the orphaned run to be marked failed',
      );
      expect(message).toMatchObject({
        finish_reason: 'interrupted',
        content: expect.stringMatching(/Interrupted/),
      });
      fake.script = () => streamed(say('Fresh start.'));
      const res = await postMessage(second.http, user.token, sessionId, 'again');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'completed', content: 'Fresh start.' });
    } finally {
      await second.close();
      await first.db.drop();
    }
  });
});
