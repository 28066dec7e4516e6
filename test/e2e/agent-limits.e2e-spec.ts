import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { llmEnv, postMessage, steps } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  lastUserText,
  say,
  streamed,
  type Reply,
  withoutEnvironment,
} from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('agent limits and provider failures', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      llmEnv(fake, {
        AGENT_MAX_ITERATIONS: '3',
        OPENAI_TIMEOUT_MS: '1500',
        OPENAI_STREAM_IDLE_MS: '1500',
        AGENT_RUN_TIMEOUT_MS: '6000',
        // A silent stream is retried (models-idle-retry.e2e-spec.ts); here every retry is spent at once.
        AGENT_ROUND_RETRIES: '0',
      }),
    );
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const script = (reply: (n: number) => Reply) => fake.scriptFromNow(reply);

  async function assistantRow(sessionId: string) {
    const rows = await t.db.query<{ status: string; finish_reason: string; content: string }>(
      `SELECT status, finish_reason, content FROM messages WHERE session_id = $1 AND role = 'assistant' ORDER BY id DESC LIMIT 1`,
      [sessionId],
    );
    return rows[0];
  }

  it('stops a model that never stops calling tools after AGENT_MAX_ITERATIONS rounds (200, failed)', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 3
        ? streamed(say('Wrote three pages; the fourth is left.'))
        : streamed(
            callTools([
              { name: 'write_file', args: { filename: `page${n}.html`, content: `<p>${n}</p>` } },
            ]),
          ),
    );
    const before = fake.requests.length;
    const res = await postMessage(t.http, user.token, sessionId, 'keep going forever');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'max_iterations' });
    expect(res.body.content).toMatch(
      /^Wrote three pages; the fourth is left\.\n\n.*limit of 3 tool-calling rounds/,
    );
    // Three rounds with tools, then one last request without them for the summary.
    const requests = fake.requests.slice(before);
    expect(requests).toHaveLength(4);
    expect(requests.map((r) => Array.isArray(r.body.tools))).toEqual([true, true, true, false]);
    expect(lastUserText(requests[3].body)).toMatch(/all 3 tool-calling rounds.*summary/s);
    const files = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
      token: user.token,
    });
    expect(files.body.files.map((f: any) => f.name)).toEqual([
      'page0.html',
      'page1.html',
      'page2.html',
    ]);
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => s.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('warns a model repeating the same call and result, then stops it when it repeats again', async () => {
    const sessionId = await createSession(t.http, user.token);
    const list = { name: 'list_files', args: {} };
    script((n) => streamed(callTools(n < 2 ? [list, list] : [list])));
    const before = fake.requests.length;
    const res = await postMessage(t.http, user.token, sessionId, 'loop');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'stuck_loop' });
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => s.status)).toEqual([...Array(4).fill('completed'), 'failed']);
    expect(recorded[4].error).toMatch(/same call after being warned/);
    // The fourth identical result carried the one warning the model got.
    expect(fake.requests.length - before).toBe(3);
    const results = fake.requests[before + 2].body.messages
      .filter((m: any) => m.role === 'tool')
      .map((m: any) => JSON.parse(withoutEnvironment(m.content)));
    expect(results.map((r: any) => typeof r.warning)).toEqual([
      'undefined',
      'undefined',
      'undefined',
      'string',
    ]);
  });

  it('answers 502 {"detail"} when the provider fails, and stores a failed message', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => ({ kind: 'status', status: 500 }));
    const res = await postMessage(t.http, user.token, sessionId, 'hello');
    expect(res.status).toBe(502);
    expect(res.body).toEqual({ detail: expect.stringMatching(/LLM provider answered HTTP 500/) });
    expect(res.text).not.toMatch(/test-key|127\.0\.0\.1/);
    expect(await assistantRow(sessionId)).toMatchObject({
      status: 'failed',
      finish_reason: 'provider_error',
    });
  });

  it('keeps the files written before the provider failed mid-run', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 0
        ? streamed(
            callTools([
              { name: 'write_file', args: { filename: 'index.html', content: '<h1>kept</h1>' } },
            ]),
          )
        : { kind: 'status', status: 503 },
    );
    const res = await postMessage(t.http, user.token, sessionId, 'build');
    expect(res.status).toBe(502);
    const file = await t.http.get(`/api/sessions/${sessionId}/sandbox/files/index.html`, {
      token: user.token,
    });
    expect(file.body.content).toBe('<h1>kept</h1>');
  });

  it('gives up on a provider that never answers (timeout → 502)', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => ({ kind: 'hang' }));
    const started = Date.now();
    const res = await postMessage(t.http, user.token, sessionId, 'hello?');
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/did not answer in time|sent nothing/);
    expect(Date.now() - started).toBeLessThan(6000);
    expect(await assistantRow(sessionId)).toMatchObject({
      status: 'failed',
      finish_reason: 'provider_error',
    });
  });

  it('gives up on a stream that stalls half-way (idle timeout → 502), leaving no step pending', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() =>
      streamed(
        callTools(
          [{ name: 'write_file', args: { filename: 'a.html', content: 'x'.repeat(500) } }],
          6,
        ),
        {
          stallAfter: 3,
        },
      ),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'stall');
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/sent nothing for \d+ s/);
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ status: 'failed', progress: 100 });
  });

  it('ends a run that passes its time limit as failed (200)', async () => {
    const sessionId = await createSession(t.http, user.token);
    // Three rounds of ~5 s each cannot fit in the 6 s limit.
    script((n) =>
      streamed(
        callTools(
          [{ name: 'write_file', args: { filename: `slow${n}.txt`, content: 'y'.repeat(100) } }],
          10,
        ),
        {
          delayMs: 400,
        },
      ),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'slow');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'time_limit' });
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.every((s) => s.status === 'completed' || s.status === 'failed')).toBe(true);
  });
});

describe('agent without a provider', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('answers 503 naming OPENAI_API_KEY and OPENAI_BASE_URL, and still stores the user message', async () => {
    const user = await registerUser(t.http);
    const sessionId = await createSession(t.http, user.token);
    const res = await postMessage(t.http, user.token, sessionId, 'build me a site');
    expect(res.status).toBe(503);
    expect(res.body.detail).toMatch(/OPENAI_API_KEY/);
    expect(res.body.detail).toMatch(/OPENAI_BASE_URL/);
    const messages = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(messages.body).toEqual([
      expect.objectContaining({ role: 'user', content: 'build me a site' }),
    ]);
  });

  it.each([
    ['missing content', {}],
    ['empty content', { content: '' }],
    ['content as a number', { content: 5 }],
    ['stream as a string', { content: 'x', stream: 'yes' }],
  ])('refuses %s with 422', async (_label, body) => {
    const user = await registerUser(t.http);
    const sessionId = await createSession(t.http, user.token);
    const res = await t.http.post(`/api/sessions/${sessionId}/messages`, {
      token: user.token,
      body,
    });
    expect(res.status).toBe(422);
    expect(res.body.detail).toEqual(expect.any(String));
  });
});
