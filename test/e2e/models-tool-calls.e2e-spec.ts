/**
 * Issue 19, models as they are: tool calls as servers really send them.
 *
 * Wire behaviour reproduced by test/support/fake-openai.ts:
 * - Gemini's OpenAI-compatible endpoint streams each call whole, with its id and no `index`, and ends
 *   with finish_reason "stop" (github.com/THU-MAIC/OpenMAIC#1556 quotes a measured chunk;
 *   github.com/googleapis/python-genai#2868).
 * - Proxies that convert Gemini answers sent several calls at index 0, apart only by id
 *   (github.com/QuantumNous/new-api#2701).
 * - Models whose server does not parse tool calls write them as text: Hermes / Qwen2.5 templates
 *   `<tool_call>{"name", "arguments"}</tool_call>` (NousResearch/Hermes-Function-Calling) and
 *   Qwen3-Coder `<tool_call><function=NAME><parameter=KEY>VALUE</parameter></function></tool_call>`
 *   (its chat template and vLLM's qwen3_coder tool parser).
 * - Small local models write arguments with trailing commas, or double-encoded as a JSON string.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage, steps, toolResults } from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  geminiCalls,
  sameIndexCalls,
  say,
  streamed,
  type Reply,
} from '../support/fake-openai.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { openSse } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('models as they are: tool calls', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake));
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  const script = (reply: (n: number) => Reply) => {
    fake.scriptFromNow(reply);
    return fake.requests.length;
  };
  const read = async (sessionId: string, name: string) =>
    (await fileContent(t.http, user.token, sessionId, name)).body.content as string;

  it('runs Gemini calls that carry no index as separate calls, told apart by id', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script((n) =>
      n === 0
        ? streamed(
            geminiCalls([
              {
                id: 'function-call-a',
                name: 'write_file',
                args: { filename: 'a.html', content: 'A' },
              },
              {
                id: 'function-call-b',
                name: 'write_file',
                args: { filename: 'b.css', content: 'B' },
              },
            ]),
            { finishReason: 'stop' },
          )
        : streamed(say('Two files.'), { finishReason: 'stop' }),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'two files');
    expect(res.body).toMatchObject({ status: 'completed', content: 'Two files.' });
    expect(await read(sessionId, 'a.html')).toBe('A');
    expect(await read(sessionId, 'b.css')).toBe('B');
    const assistant = (fake.requests[first + 1].body.messages as any[]).find(
      (m) => m.role === 'assistant',
    );
    expect(assistant.tool_calls.map((c: any) => [c.id, JSON.parse(c.function.arguments)])).toEqual([
      ['function-call-a', { filename: 'a.html', content: 'A' }],
      ['function-call-b', { filename: 'b.css', content: 'B' }],
    ]);
    expect(Object.keys(toolResults(fake.requests[first + 1].body))).toEqual([
      'function-call-a',
      'function-call-b',
    ]);
  });

  it('runs several calls streamed at index 0 with different ids as several calls', async () => {
    const sessionId = await createSession(t.http, user.token);
    script((n) =>
      n === 0
        ? streamed(
            sameIndexCalls([
              { id: 'call_x', name: 'write_file', args: { filename: 'x.txt', content: 'xx' } },
              { id: 'call_y', name: 'write_file', args: { filename: 'y.txt', content: 'yy' } },
            ]),
          )
        : streamed(say('Done.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'x and y');
    expect(res.body).toMatchObject({ status: 'completed' });
    expect(await read(sessionId, 'x.txt')).toBe('xx');
    expect(await read(sessionId, 'y.txt')).toBe('yy');
    expect((await steps(t.http, user.token, sessionId)).map((s) => s.status)).toEqual([
      'completed',
      'completed',
    ]);
  });

  it('runs a Hermes <tool_call> written in the content, streaming and storing none of its markup', async () => {
    const sessionId = await createSession(t.http, user.token);
    const call =
      'I will write the page.\n<tool_call>\n{"name": "write_file", "arguments": {"filename": "index.html", "content": "<h1>Bakery</h1>"}}\n</tool_call>';
    const first = script((n) =>
      n === 0 ? streamed(say(call, 12), { finishReason: 'stop' }) : streamed(say('Built it.')),
    );
    const sse = await openSse(`${t.baseUrl}/api/sessions/${sessionId}/messages`, user.token, {
      content: 'bakery site',
      stream: true,
    });
    const events = await sse.all();
    const done = events.at(-1)!;
    expect(done.event).toBe('done');
    const streamedText = events
      .filter((e) => e.event === 'delta')
      .map((e) => e.data.content)
      .join('');
    expect(streamedText).not.toMatch(/<tool|<\/tool|"name"/);
    expect(streamedText).toContain('I will write the page.');
    expect(done.data.content).toBe('I will write the page.\n\nBuilt it.');
    expect(await read(sessionId, 'index.html')).toBe('<h1>Bakery</h1>');
    // The provider got the call back as a call, with its result.
    const round2 = fake.requests[first + 1].body.messages as any[];
    const assistant = round2.find((m) => m.role === 'assistant');
    expect(assistant.content).toBe('I will write the page.');
    expect(assistant.tool_calls[0].function.name).toBe('write_file');
    expect(Object.values(toolResults(fake.requests[first + 1].body))[0]).toMatchObject({
      ok: true,
      filename: 'index.html',
    });
  });

  it('runs a Qwen3-Coder <function=…><parameter=…> call written in the content', async () => {
    const sessionId = await createSession(t.http, user.token);
    const css = 'body {\n  color: #333;\n}';
    const call = `<tool_call>\n<function=write_file>\n<parameter=filename>\nstyle.css\n</parameter>\n<parameter=content>\n${css}\n</parameter>\n</function>\n</tool_call>`;
    script((n) =>
      n === 0 ? streamed(say(call, 7), { finishReason: 'stop' }) : streamed(say('Styled.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'style it');
    expect(res.body).toMatchObject({ status: 'completed', content: 'Styled.' });
    expect(await read(sessionId, 'style.css')).toBe(css);
  });

  it('repairs trailing commas and double-encoded arguments, and the step says so', async () => {
    const sessionId = await createSession(t.http, user.token);
    const trailing = '{"filename": "t.html", "content": "T",}';
    const doubled = JSON.stringify(JSON.stringify({ filename: 'd.html', content: 'D' }));
    const first = script((n) =>
      n === 0
        ? streamed(
            callTools([
              { id: 'call_t', name: 'write_file', args: trailing },
              { id: 'call_d', name: 'write_file', args: doubled },
            ]),
          )
        : streamed(say('Both written.')),
    );
    const res = await postMessage(t.http, user.token, sessionId, 'two pages');
    expect(res.body).toMatchObject({ status: 'completed' });
    expect(await read(sessionId, 't.html')).toBe('T');
    expect(await read(sessionId, 'd.html')).toBe('D');
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => [s.status, s.tool_arguments.arguments_repaired])).toEqual([
      ['completed', 'trailing commas removed'],
      ['completed', 'arguments were double-encoded as a JSON string'],
    ]);
    // Round 2 carries the repaired, valid JSON (strict templates parse earlier calls).
    const assistant = (fake.requests[first + 1].body.messages as any[]).find(
      (m) => m.role === 'assistant',
    );
    expect(assistant.tool_calls.map((c: any) => JSON.parse(c.function.arguments))).toEqual([
      { filename: 't.html', content: 'T' },
      { filename: 'd.html', content: 'D' },
    ]);
  });
});
