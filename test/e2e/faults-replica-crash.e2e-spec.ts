import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv, postMessage, untilFirstStep } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { openSseGet, type SseEvent, type SseReader } from '../support/sse-client.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** The contract's bound: a run whose replica died is failed and its followers hear `error` within it. */
const BOUND_MS = 30_000;

/** Reads a follower to its end, or gives up after `ms` (the stream stayed open). */
async function readAll(
  sse: SseReader,
  ms: number,
): Promise<{ events: SseEvent[]; ended: boolean }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
  const ended = await Promise.race([sse.all().then(() => true), timeout]);
  clearTimeout(timer);
  if (!ended) {
    sse.abort();
  }
  return { events: sse.events, ended };
}

describe.each([
  ['PostgreSQL LISTEN/NOTIFY', {}],
  ['Redis', { REDIS_URL, REDIS_PREFIX: `test:crash:${randomBytes(4).toString('hex')}:` }],
])('a replica killed mid-run (%s)', (_label, transportEnv: Record<string, string>) => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let a: TestProcess;
  let b: TestProcess;
  let user: TestUser;
  // The service's defaults are what is under test: no AGENT_STALE_RUN_MS here.
  let env: Record<string, string>;

  beforeAll(async () => {
    await fake.start();
    env = { ...llmEnv(fake), ...transportEnv };
    a = await startTestProcess(env);
    b = await startTestProcess(env, a.db);
    user = await registerUser(a.http);
  });
  afterAll(async () => {
    await b?.close();
    if (a?.process.exitCode === null && a.process.signalCode === null) {
      await a.close();
    } else {
      await a?.db.drop();
    }
    await fake.close();
  });

  it('fails the turn as interrupted, tells the follower on the other replica, and frees the session', async () => {
    const sessionId = await createSession(a.http, user.token);
    // Some text, then a tool call whose arguments stop arriving: the step stays pending, the run open.
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(
            [
              ...say('Starting on it.', 2),
              ...callTools(
                [
                  {
                    name: 'write_file',
                    args: { filename: 'index.html', content: 'x'.repeat(400) },
                  },
                ],
                20,
              ),
            ],
            { delayMs: 50, stallAfter: 8 },
          )
        : streamed(say('not reached'));
    void postMessage(a.http, user.token, sessionId, 'build').catch(() => undefined);
    await eventually(async () => {
      const rows = await a.db.query(
        `SELECT s.id FROM execution_steps s JOIN messages m ON m.id = s.message_id
          WHERE m.session_id = $1 AND s.status = 'pending'`,
        [sessionId],
      );
      return rows.length > 0 ? true : undefined;
    });
    const follower = await openSseGet(
      `${b.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    expect(follower.status).toBe(200);
    expect((await follower.next())?.event).toBe('step');

    const killedAt = Date.now();
    a.process.kill('SIGKILL');
    await new Promise((r) => a.process.once('exit', r));

    const { events, ended } = await readAll(follower, BOUND_MS);
    const errorAfterS = (Date.now() - killedAt) / 1000;
    expect(ended).toBe(true);
    expect(events.at(-1)).toEqual({ event: 'error', data: { detail: expect.any(String) } });
    expect(events.at(-1)?.data.detail).toMatch(/Interrupted/);

    const [message] = await a.db.query<{ id: number; status: string; finish_reason: string }>(
      `SELECT id, status, finish_reason FROM messages WHERE session_id = $1 AND role = 'assistant'`,
      [sessionId],
    );
    expect(message).toMatchObject({ status: 'failed', finish_reason: 'interrupted' });
    const steps = await a.db.query<{ status: string }>(
      `SELECT status FROM execution_steps WHERE message_id = $1`,
      [message.id],
    );
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.filter((s) => s.status === 'pending' || s.status === 'running')).toEqual([]);

    // The session takes a new turn at once, on the surviving replica.
    fake.script = () => streamed(say('Fresh start.'));
    const again = await postMessage(b.http, user.token, sessionId, 'again');
    const usableAfterS = (Date.now() - killedAt) / 1000;
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ status: 'completed', content: 'Fresh start.' });
    expect(usableAfterS * 1000).toBeLessThan(BOUND_MS);

    // The killed replica comes back on the same database and serves the session.
    const restartedAt = Date.now();
    const a2 = await startTestProcess(env, a.db);
    try {
      const restartS = (Date.now() - restartedAt) / 1000;
      fake.script = () => streamed(say('Back again.'));
      const res = await postMessage(a2.http, user.token, sessionId, 'once more');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ status: 'completed', content: 'Back again.' });
      const list = await a2.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
      expect(list.body.map((m: { status: string }) => m.status)).toEqual([
        'completed',
        'failed',
        'completed',
        'completed',
        'completed',
        'completed',
      ]);
      console.log(
        `[faults-replica-crash ${_label}] kill → follower error ${errorAfterS.toFixed(1)} s; ` +
          `kill → new turn answered ${usableAfterS.toFixed(1)} s; restart healthy in ${restartS.toFixed(1)} s`,
      );
    } finally {
      await a2.close();
    }
  }, 120_000);
});

/** Chinese text with emoji (surrogate pairs), a quote and a newline: 3–4 UTF-8 bytes a character. */
function chinese(chars: number): string {
  const unit = '网站生成代理正在编写页面😀，"引号"与换行\n';
  let s = '';
  while (s.length < chars) {
    s += unit;
  }
  return s.slice(0, chars - (s.codePointAt(chars - 1)! > 0xffff ? 1 : 0));
}

describe('events over LISTEN/NOTIFY with Chinese text (no Redis)', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let a: TestProcess;
  let b: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    a = await startTestProcess(llmEnv(fake));
    b = await startTestProcess(llmEnv(fake), a.db);
    user = await registerUser(a.http);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
    await fake.close();
  });

  it('delivers every long delta in order and the done with the full content to a follower on the other replica', async () => {
    const sessionId = await createSession(a.http, user.token);
    // 6 000 characters, about 18 KB: each delta ~9 KB, the final message well over NOTIFY's 8000 bytes.
    const answer = chinese(6000);
    const chars = [...answer];
    const pieces = [chars.slice(0, 2000).join(''), chars.slice(2000).join('')];
    expect(Buffer.byteLength(answer)).toBeGreaterThan(15_000);
    expect(Buffer.byteLength(pieces[1])).toBeGreaterThan(8000);
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(
            callTools(
              [{ name: 'write_file', args: { filename: 'index.html', content: 'w'.repeat(2000) } }],
              20,
            ),
            { delayMs: 80 },
          )
        : streamed(
            pieces.map((text) => ({ text })),
            { delayMs: 200 },
          );
    const running = postMessage(a.http, user.token, sessionId, '写一个网站');
    await untilFirstStep(b.http, user.token, sessionId);
    const follower = await openSseGet(
      `${b.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    const res = await running;
    expect(res.status).toBe(200);
    expect(res.body.content).toBe(answer);

    const { events, ended } = await readAll(follower, 10_000);
    const text = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.content as string)
      .join('');
    expect(Buffer.byteLength(text)).toBe(Buffer.byteLength(answer));
    expect(text).toBe(answer);
    expect(ended).toBe(true);
    expect(events.at(-1)).toEqual({
      event: 'done',
      data: expect.objectContaining({ id: res.body.id, status: 'completed', content: answer }),
    });
  });
});

describe('a turn the stale sweep ended while its replica still ran it', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let app: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    // Beats every 12 s: the turn below ends between two beats, so only TurnStateService.finish's guard can save it.
    app = await startTestProcess(llmEnv(fake, { AGENT_STALE_RUN_MS: '60000' }));
    user = await registerUser(app.http);
  });
  afterAll(async () => {
    await app.close();
    await fake.close();
  });

  it('keeps the sweep’s ending: the runner neither overwrites it nor reports success', async () => {
    const sessionId = await createSession(app.http, user.token);
    const offset = fake.requests.length;
    fake.script = (_req, n) =>
      n - offset === 0
        ? streamed(say('A long answer that is still streaming when the turn is swept.', 20), {
            delayMs: 100,
          })
        : streamed(say('not reached'));
    const running = postMessage(app.http, user.token, sessionId, 'build');
    await eventually(async () => (fake.requests.length > offset ? true : undefined));
    // The run's first heartbeat comes at its first poll (≤ 500 ms); the next one is 12 s away.
    await new Promise((r) => setTimeout(r, 700));
    // What the sweep of another replica writes when this one's heartbeats stopped reaching the database.
    const swept = await app.db.query(
      `UPDATE messages SET status = 'failed', finish_reason = 'interrupted', finished_at = now(),
              content = 'Interrupted: the server running this turn stopped.'
        WHERE session_id = $1 AND status = 'running' RETURNING id`,
      [sessionId],
    );
    expect(swept).toHaveLength(1);

    const res = await running;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'interrupted' });
    const [row] = await app.db.query<{ status: string; finish_reason: string }>(
      `SELECT status, finish_reason FROM messages WHERE id = $1`,
      [swept[0].id],
    );
    expect(row).toEqual({ status: 'failed', finish_reason: 'interrupted' });
  });
});

describe('a follower whose run ended without word reaching it', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let a: TestProcess;
  let b: TestProcess;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    a = await startTestProcess(llmEnv(fake));
    b = await startTestProcess(llmEnv(fake), a.db);
    user = await registerUser(a.http);
  });
  afterAll(async () => {
    await b.close();
    await a.db.drop();
    await fake.close();
  });

  it('still hears the stored end: a turn failed while its announcement was lost', async () => {
    const sessionId = await createSession(a.http, user.token);
    // A tool call whose arguments stop arriving: a pending step to replay, and a run that stays open.
    fake.scriptFromNow(() =>
      streamed(
        callTools(
          [{ name: 'write_file', args: { filename: 'index.html', content: 'x'.repeat(400) } }],
          20,
        ),
        { delayMs: 50, stallAfter: 5 },
      ),
    );
    void postMessage(a.http, user.token, sessionId, 'build').catch(() => undefined);
    await untilFirstStep(b.http, user.token, sessionId);
    const follower = await openSseGet(
      `${b.baseUrl}/api/sessions/${sessionId}/messages/latest/events`,
      user.token,
    );
    expect(follower.status).toBe(200);
    expect((await follower.next())?.event).toBe('step');
    a.process.kill('SIGKILL');
    await new Promise((r) => a.process.once('exit', r));
    // What a sweeping replica writes; it died before its word reached anyone.
    const swept = await a.db.query(
      `UPDATE messages SET status = 'failed', finish_reason = 'interrupted', finished_at = now(),
              content = 'Interrupted: the server running this turn stopped.'
        WHERE session_id = $1 AND status = 'running' RETURNING id`,
      [sessionId],
    );
    expect(swept).toHaveLength(1);

    const { events, ended } = await readAll(follower, 15_000);
    expect(ended).toBe(true);
    expect(events.at(-1)).toEqual({
      event: 'error',
      data: { detail: 'Interrupted: the server running this turn stopped.' },
    });
  });
});
