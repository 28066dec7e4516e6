/**
 * Issue 19, models as they are: context errors, missing usage, loops, nudges, roles and the plan.
 *
 * Wire behaviour reproduced by test/support/fake-openai.ts (`providerErrors`):
 * - llama.cpp's server: `{"error": {"code": 400, "type": "exceed_context_size_error", "message":
 *   "request (N tokens) exceeds the available context size (M tokens)…", "n_prompt_tokens": N,
 *   "n_ctx": M}}`, HTTP 400 and, in some builds, 500 (tools/server/server-common / utils).
 * - vLLM: "This model's maximum context length is M tokens. However, you requested …" in the older
 *   top-level error shape `{"object": "error", "type": "BadRequestError", "code": 400}`.
 * - Ollama: "the input length exceeds the context length", no sizes (its runner's wording).
 * - Servers that ignore `stream_options.include_usage` (older llama.cpp and Ollama builds, many
 *   proxies) send no usage chunk at all.
 * - Strict chat templates (Mistral on vLLM, Gemma) refuse two messages of one role in a row.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage, toolResults } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  hasEnvironment,
  lastUserText,
  providerErrors,
  say,
  streamed,
  type RecordedRequest,
  type Reply,
} from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { openSse } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('models as they are: context, usage, loops and the plan', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      llmEnv(fake, {
        AGENT_MODELS: 'fake-model, llama-model, vllm-model, ollama-model',
        AGENT_MAX_OUTPUT_TOKENS: '2048',
        AGENT_MAX_TOKENS_PER_TURN: '6000',
      }),
    );
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const script = (reply: (n: number, req: RecordedRequest) => Reply) => {
    const offset = fake.requests.length;
    fake.script = (req, n) => reply(n - offset, req);
    return offset;
  };
  const sessionOf = async (model: string) =>
    (await t.http.post('/api/sessions', { token: user.token, body: { title: model, model } })).body
      .id as string;
  const profileOf = async (model: string) => {
    const res = await t.http.get('/api/models', { token: user.token });
    return (res.body.models as any[]).find((m) => m.id === model);
  };

  describe('context-size errors', () => {
    const big = 'z'.repeat(8000);
    /** Round 1 writes a big file; the request that carries it back is "too long" for the server. */
    const oversized = (error: Reply) => (n: number, req: RecordedRequest) =>
      n === 0
        ? streamed(callTools([{ name: 'write_file', args: { filename: 'big.txt', content: big } }]))
        : JSON.stringify(req.body).includes(big)
          ? error
          : streamed(say('Wrote big.txt.'));

    it.each([
      ['llama.cpp, 400', 'llama-model', providerErrors.llamaCppContext(5200, 4096), 4096],
      ['llama.cpp, 500', 'llama-model', providerErrors.llamaCppContext(5200, 4096, 500), 4096],
      ['vLLM', 'vllm-model', providerErrors.vllmContext(4096, 5200, 2048), 4096],
      ['Ollama', 'ollama-model', providerErrors.ollamaContext(), null],
    ])(
      '%s: compacts the request and retries, and the turn goes on',
      async (_n, model, error, ctx) => {
        const sessionId = await sessionOf(model);
        const first = script(oversized(error));
        const res = await postMessage(t.http, user.token, sessionId, 'write a big file');
        expect(res.body).toMatchObject({ status: 'completed', content: 'Wrote big.txt.' });
        const [, refused, retried] = fake.requests.slice(first).map((r) => r.body);
        expect(JSON.stringify(refused)).toContain(big);
        expect(JSON.stringify(retried)).not.toContain(big);
        expect(JSON.stringify(retried).length).toBeLessThan(JSON.stringify(refused).length);
        // Every call still has its result: the compacted conversation is valid for the provider.
        expect(Object.keys(toolResults(retried))).toHaveLength(1);
        expect((await fileContent(t.http, user.token, sessionId, 'big.txt')).body.content).toBe(
          big,
        );
        if (ctx) {
          // The size the server named is learned, and prompt plus output fit in it from now on.
          expect(retried.max_tokens).toBeLessThan(ctx / 2);
          expect((await profileOf(model)).profile).toMatchObject({
            context_tokens: ctx,
            learned: ['context_tokens'],
          });
        }
      },
    );
  });

  it('estimates the tokens of a provider that sends no usage, and says so', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => streamed(say('Hello there.'), { usage: null }));
    const res = await postMessage(t.http, user.token, sessionId, 'hi');
    expect(res.body).toMatchObject({ status: 'completed', tokens_estimated: true });
    // The system prompt alone is thousands of characters.
    expect(res.body.prompt_tokens).toBeGreaterThan(500);
    expect(res.body.completion_tokens).toBeGreaterThan(0);
  });

  it('ends a turn without usage at AGENT_MAX_TOKENS_PER_TURN, counting estimated tokens', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      streamed(
        callTools([{ name: 'write_file', args: { filename: `p${n}.html`, content: `page ${n}` } }]),
        { usage: null },
      ),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'many pages');
    expect(res.body).toMatchObject({ finish_reason: 'budget', tokens_estimated: true });
    expect(res.body.prompt_tokens + res.body.completion_tokens).toBeGreaterThan(6000);
    expect(fake.requests.length - first).toBeLessThan(10);
  });

  it('stops a read / failed-edit / read / failed-edit loop after one warning', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<h1>Hello</h1>');
    const first = script((n) =>
      streamed(
        callTools([
          n % 2 === 0
            ? { name: 'read_file', args: { filename: 'index.html' } }
            : {
                name: 'edit_file',
                args: { filename: 'index.html', old_string: '<h2>Nope</h2>', new_string: 'x' },
              },
        ]),
      ),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'fix the heading');
    expect(res.body).toMatchObject({ status: 'failed', finish_reason: 'stuck_loop' });
    // Six rounds make the pattern (warned in the sixth result); the seventh repeats it and is not run.
    expect(fake.requests.length - first).toBe(7);
    const warned = Object.values(toolResults(fake.requests[first + 6].body));
    expect(warned.at(-1)).toMatchObject({
      ok: false,
      warning: expect.stringMatching(/same calls/),
    });
  });

  it('nudges once when the model announces work and calls no tool', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      n === 0
        ? streamed(say("Great idea! I'll create index.html now."))
        : n === 1
          ? streamed(
              callTools([{ name: 'write_file', args: { filename: 'index.html', content: '<p>' } }]),
            )
          : streamed(say("Done. I'll add more if you like.")),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'a bakery site');
    expect(res.body).toMatchObject({ status: 'completed' });
    expect(fake.requests.length - first).toBe(3);
    expect(lastUserText(fake.requests[first + 1].body)).toMatch(/called no tool/);
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      '<p>',
    );
  });

  it('sends no two messages of one role in a row, with the sandbox state inside the last message', async () => {
    const sessionId = await createSession(t.http, user.token);
    // A turn whose answer is empty leaves two user messages in a row in the history.
    script(() => streamed(say(''), { finishReason: 'stop' }));
    await postMessage(t.http, user.token, sessionId, 'first');
    const first = script((n) =>
      n === 0 ? streamed(callTools([{ name: 'list_files', args: {} }])) : streamed(say('Ok.')),
    );
    await postMessage(t.http, user.token, sessionId, 'second');
    for (const request of fake.requests.slice(first)) {
      const roles = (request.body.messages as any[]).map((m) => m.role);
      expect(roles.filter((r, i) => i > 0 && r === roles[i - 1] && r !== 'tool')).toEqual([]);
      expect(
        (request.body.messages as any[]).filter((m) => /^\(Sandbox state/.test(m.content ?? '')),
      ).toEqual([]);
    }
    const [round1, round2] = fake.requests.slice(first).map((r) => r.body.messages as any[]);
    expect(round1.at(-1)).toMatchObject({ role: 'user' });
    expect(round1.at(-1).content).toMatch(/^first\n\nsecond\n\n<environment_details>\n/);
    expect(round2.at(-1).role).toBe('tool');
    expect(round2.filter(hasEnvironment)).toHaveLength(1);
  });

  it('streams the plan of update_plan as `plan` events and keeps it with the message', async () => {
    const sessionId = await createSession(t.http, user.token);
    const items = [
      { text: 'Write index.html', status: 'completed' },
      { text: 'Style it', status: 'in_progress' },
    ];
    script((n) =>
      n === 0
        ? streamed(callTools([{ name: 'update_plan', args: { items } }]))
        : streamed(say('Planned.')),
    );
    const sse = await openSse(`${t.baseUrl}/api/sessions/${sessionId}/messages`, user.token, {
      content: 'a two-page site',
      stream: true,
    });
    const events = await sse.all();
    expect(events.filter((e) => e.event === 'plan').map((e) => e.data)).toEqual([{ items }]);
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { plan: items } });
  });
});
