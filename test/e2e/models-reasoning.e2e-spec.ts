/**
 * Issue 19, models as they are: reasoning models and OpenAI's newer parameter.
 *
 * Wire behaviour reproduced by test/support/fake-openai.ts:
 * - DeepSeek thinking mode (https://api-docs.deepseek.com/guides/thinking_mode): the chain of thought
 *   streams as `delta.reasoning_content` beside `content`; for a round that made tool calls it "must be
 *   fully passed back to the API in all subsequent requests", else HTTP 400. The fake answers 400 when
 *   it is missing, as DeepSeek does.
 * - vLLM's reasoning parsers and OpenRouter stream `delta.reasoning` instead.
 * - OpenAI o-series / gpt-5: `max_tokens` → 400 `unsupported_parameter` naming it, "Use
 *   'max_completion_tokens' instead." (body as quoted in github.com/griptape-ai/ComfyUI-Griptape#312).
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  lastUserText,
  providerErrors,
  say,
  streamed,
  type Piece,
  type RecordedRequest,
  type Reply,
} from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { openSse } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const think = (text: string, pieces = 3, field?: 'reasoning_content' | 'reasoning'): Piece[] =>
  say(text, pieces).map((p) => ({ reasoning: (p as { text: string }).text, field }));

/** DeepSeek's check: every assistant message that made tool calls carries its `reasoning_content`. */
function deepSeekAccepts(req: RecordedRequest): boolean {
  return (req.body.messages as any[]).every(
    (m) =>
      m.role !== 'assistant' || !m.tool_calls?.length || typeof m.reasoning_content === 'string',
  );
}

describe('models as they are: reasoning and output parameters', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(
      llmEnv(fake, {
        AGENT_MODELS: 'fake-model, o-model, deepseek-model',
        OPENAI_STREAM_IDLE_MS: '400',
        AGENT_MAX_OUTPUT_TOKENS: '2048',
        AGENT_MODEL_OPTIONS: JSON.stringify({
          'deepseek-model': { context_tokens: 60000, vision: false },
          'fake-model': { vision: true },
        }),
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
  const messagesUrl = (sessionId: string) => `${t.baseUrl}/api/sessions/${sessionId}/messages`;

  it('streams DeepSeek reasoning as `reasoning` events, keeps it out of content and passes it back with the tool calls', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n, req) => {
      if (!deepSeekAccepts(req)) {
        return providerErrors.deepSeekMissingReasoning();
      }
      return n === 0
        ? streamed([
            ...think('The user wants a page. I should write index.html.'),
            ...callTools([
              { name: 'write_file', args: { filename: 'index.html', content: '<h1>Hi</h1>' } },
            ]),
          ])
        : streamed([...think('It is written; summarise.'), ...say('Built index.html.')]);
    });

    const sse = await openSse(messagesUrl(sessionId), user.token, {
      content: 'make a page',
      stream: true,
    });
    const events = await sse.all();

    expect(events.at(-1)?.event).toBe('done');
    const reasoning = events.filter((e) => e.event === 'reasoning').map((e) => e.data.content);
    expect(reasoning.join('')).toBe(
      'The user wants a page. I should write index.html.It is written; summarise.',
    );
    const deltas = events.filter((e) => e.event === 'delta').map((e) => e.data.content);
    expect(deltas.join('')).toBe('Built index.html.');
    const done = events.at(-1)!.data;
    expect(done).toMatchObject({
      status: 'completed',
      content: 'Built index.html.',
      reasoning: 'The user wants a page. I should write index.html.\n\nIt is written; summarise.',
      tokens_estimated: false,
    });
    // What DeepSeek received in round 2: the reasoning unchanged on the message that made the call.
    const assistant = (fake.requests[first + 1].body.messages as any[]).find(
      (m) => m.role === 'assistant',
    );
    expect(assistant.reasoning_content).toBe('The user wants a page. I should write index.html.');
    expect(JSON.stringify(fake.requests[first + 1].body.messages)).not.toMatch(
      /"content":"[^"]*The user wants a page/,
    );
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      '<h1>Hi</h1>',
    );
    const listed = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(JSON.stringify(listed.body)).toContain('"reasoning":"The user wants a page.');
  });

  it('counts reasoning chunks as activity, so a model thinking longer than OPENAI_STREAM_IDLE_MS is not cut off', async () => {
    const sessionId = await createSession(t.http, user.token);
    // 8 reasoning chunks 150 ms apart: 1.2 s of thinking against a 400 ms idle limit.
    script(() =>
      streamed([...think('a'.repeat(80), 8, 'reasoning'), ...say('Thought it through.', 1)], {
        delayMs: 150,
      }),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'think hard');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'completed',
      content: 'Thought it through.',
      reasoning: 'a'.repeat(80),
    });
  });

  it('drops a stream silent for OPENAI_STREAM_IDLE_MS and retries the round (AGENT_ROUND_RETRIES), keeping only the retry', async () => {
    const sessionId = await createSession(t.http, user.token);
    // The first answer stops sending after two chunks and never closes (a provider stuck mid-thought).
    const first = script((n) =>
      n === 0
        ? streamed([...think('Working on it', 2), ...say('Half an ans', 2)], { stallAfter: 3 })
        : streamed(say('The whole answer.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'answer me');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'completed', content: 'The whole answer.' });
    // The round was asked again with the same conversation: two requests, the same last user text.
    expect(fake.requests.length - first).toBe(2);
    expect(lastUserText(fake.requests[first + 1].body)).toBe(
      lastUserText(fake.requests[first].body),
    );
  });

  it('asks again when a round spends its whole output on reasoning, instead of ending with empty content', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      n === 0
        ? streamed(think('Let me consider every colour scheme there is…'), {
            finishReason: 'length',
          })
        : streamed(say('Here is the plan: a blue theme.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'pick colours');
    expect(res.body).toMatchObject({
      status: 'completed',
      content: 'Here is the plan: a blue theme.',
    });
    expect(fake.requests.length - first).toBe(2);
    expect(lastUserText(fake.requests[first + 1].body)).toMatch(/length limit.*thinking/s);
  });

  it('fails with a reason, not an empty completed answer, when the model only thinks twice', async () => {
    const sessionId = await createSession(t.http, user.token);
    script(() => streamed(think('Hmm…'), { finishReason: 'length' }));
    const res = await postMessage(t.http, user.token, sessionId, 'pick colours');
    // A provider failure answers 502 with the stored ending as its detail.
    expect(res.status).toBe(502);
    expect(res.body.detail).toMatch(/whole output .* on reasoning twice and wrote no answer/);
    const latest = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(JSON.stringify(latest.body)).toMatch(/"finish_reason":"provider_error"/);
  });

  it('retries a request refused for max_tokens with max_completion_tokens, and remembers it for the model', async () => {
    const patched = await t.http.post('/api/sessions', {
      token: user.token,
      body: { title: 'o', model: 'o-model' },
    });
    const sessionId = patched.body.id as string;
    const first = script((_n, req) =>
      'max_tokens' in req.body ? providerErrors.openAiMaxTokens() : streamed(say('Hello.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'hi');
    expect(res.body).toMatchObject({ status: 'completed', content: 'Hello.' });
    const [refused, retried] = fake.requests.slice(first).map((r) => r.body);
    expect(refused).toMatchObject({ model: 'o-model', max_tokens: 2048 });
    expect(retried).toMatchObject({ model: 'o-model', max_completion_tokens: 2048 });
    expect(retried).not.toHaveProperty('max_tokens');
    expect(retried.messages).toEqual(refused.messages);

    // The next turn asks with the right parameter at once.
    const next = fake.requests.length;
    await postMessage(t.http, user.token, sessionId, 'again');
    expect(fake.requests.length - next).toBe(1);
    expect(fake.requests[next].body).toMatchObject({ max_completion_tokens: 2048 });

    const models = await t.http.get('/api/models', { token: user.token });
    const byId = Object.fromEntries((models.body.models as any[]).map((m) => [m.id, m]));
    expect(byId['o-model'].profile).toEqual({
      output_param: 'max_completion_tokens',
      max_output_tokens: 2048,
      context_tokens: 100000,
      vision: false,
      learned: ['output_param'],
    });
    // Configured, not learned: AGENT_MODEL_OPTIONS.
    expect(byId['deepseek-model']).toMatchObject({
      vision: false,
      context_tokens: 60000,
      profile: { output_param: 'max_tokens', context_tokens: 60000, learned: [] },
    });
    expect(byId['fake-model']).toMatchObject({ default: true, vision: true });
  });
});
