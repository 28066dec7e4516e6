import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import yazl from 'yazl';
import { fileContent, llmEnv, postMessage, steps } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  hasEnvironment,
  withoutEnvironment,
  lastUserText,
  say,
  streamed,
  type RecordedRequest,
  type Reply,
} from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** The tool results a request carried, in order. */
const toolResults = (r: RecordedRequest): Record<string, unknown>[] =>
  (r.body.messages as { role: string; content: string }[])
    .filter((m) => m.role === 'tool')
    .map((m) => JSON.parse(withoutEnvironment(m.content)) as Record<string, unknown>);

describe('agent, round 2: models, budgets and the loop', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      llmEnv(fake, {
        AGENT_MODELS: 'fake-model, model-b',
        AGENT_MAX_OUTPUT_TOKENS: '2048',
        AGENT_MAX_TOKENS_PER_TURN: '5000',
        AGENT_MAX_ITERATIONS: '6',
        AGENT_ROUND_RETRIES: '2',
        AGENT_CONTEXT_TOKENS: '3000',
      }),
    );
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  /** Scripts the replies from now on and returns where this turn's requests start. */
  const script = (reply: (n: number) => Reply) => {
    fake.scriptFromNow(reply);
    return fake.requests.length;
  };

  describe('models', () => {
    it('lists the models with the default marked, to signed-in users only', async () => {
      const res = await t.http.get('/api/models', { token: user.token });
      expect(res.status).toBe(200);
      const profile = {
        output_param: 'max_tokens',
        max_output_tokens: 2048,
        context_tokens: 3000,
        vision: false,
        learned: [],
      };
      expect(res.body).toEqual({
        models: [
          { id: 'fake-model', default: true, vision: false, context_tokens: 3000, profile },
          { id: 'model-b', default: false, vision: false, context_tokens: 3000, profile },
        ],
        configured: true,
      });
      expect((await t.http.get('/api/models')).status).toBe(401);
    });

    it('sets a session model on create and patch, refusing one not in the list (422)', async () => {
      const created = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'B', model: 'model-b' },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ title: 'B', model: 'model-b' });
      const id = created.body.id as string;

      const unknown = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'X', model: 'gpt-17' },
      });
      expect(unknown.status).toBe(422);
      expect(unknown.body.detail).toMatch(/gpt-17/);

      const badPatch = await t.http.patch(`/api/sessions/${id}`, {
        token: user.token,
        body: { model: 'gpt-17' },
      });
      expect(badPatch.status).toBe(422);
      const reset = await t.http.patch(`/api/sessions/${id}`, {
        token: user.token,
        body: { model: null },
      });
      expect(reset.status).toBe(200);
      expect(reset.body).toMatchObject({ title: 'B', model: null });
      const back = await t.http.patch(`/api/sessions/${id}`, {
        token: user.token,
        body: { model: 'model-b' },
      });
      expect(back.body).toMatchObject({ title: 'B', model: 'model-b' });
      const fetched = await t.http.get(`/api/sessions/${id}`, { token: user.token });
      expect(fetched.body.model).toBe('model-b');
    });

    it("asks the session's model, with max_tokens, in every request of a turn", async () => {
      const created = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'B', model: 'model-b' },
      });
      const first = script((n) =>
        n === 0 ? streamed(callTools([{ name: 'list_files', args: {} }])) : streamed(say('ok')),
      );
      const res = await postMessage(t.http, user.token, created.body.id as string, 'hi');
      expect(res.status).toBe(200);
      const requests = fake.requests.slice(first);
      expect(requests.map((r) => [r.body.model, r.body.max_tokens])).toEqual([
        ['model-b', 2048],
        ['model-b', 2048],
      ]);
    });
  });

  it('ends a turn past AGENT_MAX_TOKENS_PER_TURN as failed/budget and keeps its files', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      streamed(
        callTools([
          { name: 'write_file', args: { filename: `p${n}.html`, content: `<p>${n}</p>` } },
        ]),
        { usage: [3000, 100] },
      ),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'spend');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      finish_reason: 'budget',
      prompt_tokens: 6000,
      completion_tokens: 200,
    });
    expect(res.body.content).toMatch(/AGENT_MAX_TOKENS_PER_TURN/);
    expect(fake.requests.length - first).toBe(2);
    expect((await fileContent(t.http, user.token, sessionId, 'p1.html')).body.content).toBe(
      '<p>1</p>',
    );
  });

  it('lets read → edit → read → edit → read of one file finish', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<p>one</p>');
    const read = { name: 'read_file', args: { filename: 'index.html' } };
    const edit = (from: string, to: string) => ({
      name: 'edit_file',
      args: { filename: 'index.html', old_string: from, new_string: to },
    });
    const rounds = [read, edit('one', 'two'), read, edit('two', 'three'), read];
    script((n) => (n < rounds.length ? streamed(callTools([rounds[n]])) : streamed(say('Done.'))));
    const res = await postMessage(t.http, user.token, sessionId, 'tweak');
    expect(res.body).toMatchObject({ status: 'completed', finish_reason: 'completed' });
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      '<p>three</p>',
    );
  });

  it('asks once for the files when the model writes its page in chat', async () => {
    const sessionId = await createSession(t.http, user.token);
    const chat = 'Here it is:\n```html\n<!doctype html><h1>Hi</h1>\n```';
    const first = script((n) =>
      n === 0
        ? streamed(say(chat))
        : n === 1
          ? streamed(
              callTools([
                { name: 'write_file', args: { filename: 'index.html', content: '<h1>Hi</h1>' } },
              ]),
            )
          : streamed(say('Written to index.html.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'a page please');
    expect(res.body).toMatchObject({ status: 'completed' });
    const requests = fake.requests.slice(first);
    expect(requests).toHaveLength(3);
    expect(lastUserText(requests[1].body)).toMatch(/write_file/);
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).status).toBe(200);
  });

  it('answers a tool call cut off at max_tokens with a result saying so, not "invalid JSON"', async () => {
    const sessionId = await createSession(t.http, user.token);
    const cut = '{"filename": "index.html", "content": "<!doctype html><h1>Long';
    const first = script((n) =>
      n === 0
        ? streamed(callTools([{ name: 'write_file', args: cut }]), { finishReason: 'length' })
        : streamed(say('I will write it in parts.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'a long page');
    expect(res.body).toMatchObject({ status: 'completed' });
    const [result] = toolResults(fake.requests[first + 1]);
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/length limit.*edit_file/s) });
    expect(String(result.error)).not.toMatch(/invalid json/i);
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/length/) });
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).status).toBe(404);
  });

  it('retries a round after a 429 with Retry-After and after a dropped stream', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      n === 0
        ? { kind: 'status', status: 429, headers: { 'retry-after': '0' } }
        : n === 1
          ? streamed(say('Half an answer that is cut'), { dropAfter: 1 })
          : streamed(say('Whole answer.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'hello');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', content: 'Whole answer.' });
    expect(fake.requests.length - first).toBe(3);
  });

  it('fails the turn as provider_error when the round retries are used up', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script(() => ({ kind: 'status', status: 429, headers: { 'retry-after': '0' } }));
    const res = await postMessage(t.http, user.token, sessionId, 'hello');
    expect(res.status).toBe(502);
    expect(fake.requests.length - first).toBe(3);
  });

  it('turns an older write into a stub to keep the request under AGENT_CONTEXT_TOKENS', async () => {
    const sessionId = await createSession(t.http, user.token);
    const big = 'a'.repeat(16_000);
    const first = script((n) =>
      n === 0
        ? streamed(callTools([{ name: 'write_file', args: { filename: 'big.txt', content: big } }]))
        : n === 1
          ? streamed(callTools([{ name: 'list_files', args: {} }]))
          : streamed(say('Done.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'write a big file');
    expect(res.body).toMatchObject({ status: 'completed' });
    const [, second, third] = fake.requests.slice(first);
    // The round the model just made is kept whole; one round later it is a stub.
    expect(JSON.stringify(second.body.messages)).toContain(big);
    expect(JSON.stringify(third.body.messages)).not.toContain(big);
    expect(JSON.stringify(third.body.messages)).toMatch(/16000 characters omitted/);
    const messages = third.body.messages as any[];
    const calls = messages.flatMap((m) => (m.tool_calls ?? []).map((c: any) => c.id));
    const answered = messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id);
    expect(answered).toEqual(calls);
    expect(messages.at(-1).role).toBe('tool');
    expect(hasEnvironment(messages.at(-1))).toBe(true);
    expect((await fileContent(t.http, user.token, sessionId, 'big.txt')).body.content).toBe(big);
  });

  it('compacts and retries once when the provider answers context_length_exceeded', async () => {
    const sessionId = await createSession(t.http, user.token);
    const big = 'b'.repeat(6_000);
    const first = script((n) =>
      n === 0
        ? streamed(callTools([{ name: 'write_file', args: { filename: 'b.txt', content: big } }]))
        : n === 1
          ? {
              kind: 'status',
              status: 400,
              body: {
                error: {
                  message: "This model's maximum context length is 8192 tokens.",
                  type: 'invalid_request_error',
                  code: 'context_length_exceeded',
                },
              },
            }
          : streamed(say('Done.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'go');
    expect(res.body).toMatchObject({ status: 'completed', content: 'Done.' });
    const requests = fake.requests.slice(first);
    expect(requests).toHaveLength(3);
    expect(JSON.stringify(requests[1].body.messages)).toContain(big);
    expect(JSON.stringify(requests[2].body.messages)).not.toContain(big);
  });

  it('reads a window of numbered lines, and a binary file as its type and size', async () => {
    const sessionId = await createSession(t.http, user.token);
    const zip = new yazl.ZipFile();
    const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0xff]);
    zip.addBuffer(png, 'logo.png');
    zip.addBuffer(Buffer.from(['a', 'b', 'c', 'd', 'e'].join('\n')), 'list.txt');
    zip.end();
    const chunks: Buffer[] = [];
    for await (const c of zip.outputStream) {
      chunks.push(c as Buffer);
    }
    const upload = await fetch(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/zip' },
      body: Buffer.concat(chunks),
    });
    expect(upload.status).toBe(200);
    const first = script((n) =>
      n === 0
        ? streamed(
            callTools([
              { name: 'read_file', args: { filename: 'logo.png' } },
              { name: 'read_file', args: { filename: 'list.txt', start_line: 2, max_lines: 2 } },
            ]),
          )
        : streamed(say('Read.')),
    );
    await postMessage(t.http, user.token, sessionId, 'look');
    const [image, list] = toolResults(fake.requests[first + 1]);
    expect(image).toEqual({
      ok: true,
      filename: 'logo.png',
      size: png.length,
      binary: true,
      type: 'image/png',
      note: expect.any(String),
    });
    expect(list).toMatchObject({
      ok: true,
      total_lines: 5,
      start_line: 2,
      end_line: 3,
      content: '2\tb\n3\tc',
      note: expect.stringMatching(/start_line: 4/),
    });
  });
});
