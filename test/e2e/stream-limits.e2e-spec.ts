import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv } from '../support/agent-helpers.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { callTools, FakeOpenAi, streamed } from '../support/fake-openai.js';
import { openSse, openSseGet, type SseReader } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The provider starts a tool call (so a step exists for followers to replay) and then stalls, so every
 * turn, and its stream, stays open until cancelled.
 */
describe('open SSE streams per user (LIMIT_STREAMS_PER_USER=2)', () => {
  const fake = new FakeOpenAi(() =>
    streamed(callTools([{ name: 'write_file', args: { filename: 'a.html', content: 'x' } }]), {
      stallAfter: 2,
    }),
  );
  let t: TestApp;
  let user: TestUser;
  const open: SseReader[] = [];
  const post = async (sessionId: string, token = user.token) => {
    const sse = await openSse(`${t.baseUrl}/api/sessions/${sessionId}/messages`, token, {
      content: 'Build it',
      stream: true,
    });
    open.push(sse);
    return sse;
  };
  const follow = async (sessionId: string) => {
    const sse = await openSseGet(
      `${t.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    open.push(sse);
    return sse;
  };
  const messageCount = async (sessionId: string) =>
    (await t.db.query(`SELECT id FROM messages WHERE session_id = $1`, [sessionId])).length;

  beforeAll(async () => {
    await fake.start();
    // Runs whose readers left go on: no cap on concurrent runs, so only the stream cap is judged here.
    t = await startTestApp(
      llmEnv(fake, { LIMIT_STREAMS_PER_USER: '2', LIMIT_CONCURRENT_RUNS_FREE: '0' }),
    );
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    open.forEach((s) => s.abort());
    await t.close();
    await fake.close();
  });

  it('counts both SSE routes, answers 429 with Retry-After past the cap, and frees a slot on close', async () => {
    const [a, b, c] = [
      await createSession(t.http, user.token),
      await createSession(t.http, user.token),
      await createSession(t.http, user.token),
    ];
    const run = await post(a);
    expect(run.status).toBe(200);
    expect((await run.next())?.event).toBe('user_message');
    const follower = await follow(a);
    expect(follower.status).toBe(200);

    // Third stream, either route: 429 {"detail"} with Retry-After, and nothing stored.
    const refused = await t.http.post(`/api/sessions/${b}/messages`, {
      token: user.token,
      body: { content: 'Build it', stream: true },
    });
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({ detail: expect.stringMatching(/open streams/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await messageCount(b)).toBe(0);
    const refusedFollow = await t.http.get(`/api/sessions/${a}/messages/latest/events`, {
      token: user.token,
    });
    expect(refusedFollow.status).toBe(429);

    // Not streamed, or another user: not counted.
    const other = await registerUser(t.http, 'other');
    const otherRun = await post(await createSession(t.http, other.token), other.token);
    expect(otherRun.status).toBe(200);

    // The follower goes away: its slot comes back.
    follower.abort();
    const again = await eventually(
      async () => {
        const sse = await follow(a);
        if (sse.status === 200) {
          return sse;
        }
        sse.abort();
        return undefined;
      },
      5_000,
      'a slot freed by a closed stream',
    );
    expect(again.status).toBe(200);

    // The run ends (cancelled): its stream and its follower close with it, and both slots come back.
    expect(
      (await t.http.post(`/api/sessions/${a}/messages/latest/cancel`, { token: user.token }))
        .status,
    ).toBe(200);
    expect((await run.all()).at(-1)?.event).toBe('done');
    expect((await again.all()).at(-1)?.event).toBe('done');
    const [x, y] = [await post(b), await post(c)];
    expect([x.status, y.status]).toEqual([200, 200]);
  });

  it('frees the slot when the turn cannot start (409), so refusals do not leak slots', async () => {
    const d = await createSession(t.http, user.token);
    // Two streams are open from the test before (b and c); free them.
    for (const s of open) {
      s.abort();
    }
    // The runs go on without their readers; the slots come back as the server sees the sockets close.
    const first = await eventually(
      async () => {
        const sse = await post(d);
        return sse.status === 200 ? sse : undefined;
      },
      5_000,
      'slots freed by closed streams',
    );
    expect((await first.next())?.event).toBe('user_message');
    for (let i = 0; i < 5; i++) {
      const busy = await t.http.post(`/api/sessions/${d}/messages`, {
        token: user.token,
        body: { content: 'again', stream: true },
      });
      expect(busy.status).toBe(409);
    }
    const follower = await follow(d);
    expect(follower.status).toBe(200);
  });
});
