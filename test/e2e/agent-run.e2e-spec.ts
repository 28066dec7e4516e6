import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  eventually,
  fileContent,
  llmEnv,
  postMessage,
  steps,
  toolResults,
} from '../support/agent-helpers.js';
import {
  callTools,
  FakeOpenAi,
  withoutEnvironment,
  say,
  streamed,
  type Reply,
} from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const INDEX =
  '<!DOCTYPE html><html><head><link rel="stylesheet" href="style.css"></head><body><h1>Hi</h1><script src="js/app.js"></script></body></html>';
const CSS = 'body { background: #fafafa; }';
const JS = 'document.body.dataset.ran = "yes";';

describe('agent runs', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
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

  const script = (replies: Reply[]) => {
    const offset = fake.requests.length;
    fake.script = (_req, n) => replies[n - offset] ?? streamed(say('All done.'));
    return offset;
  };

  it('builds a three-file site over several rounds and records every step', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script([
      streamed([
        ...say('I will create the files.'),
        ...callTools([{ name: 'write_file', args: { filename: 'index.html', content: INDEX } }]),
      ]),
      streamed(callTools([{ name: 'write_file', args: { filename: 'style.css', content: CSS } }])),
      streamed(callTools([{ name: 'write_file', args: { filename: 'js/app.js', content: JS } }])),
      streamed(say('Your site is ready: index.html, style.css and js/app.js.'), {
        usage: [300, 40],
      }),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'Build me a landing page');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      session_id: sessionId,
      role: 'assistant',
      status: 'completed',
      finish_reason: 'completed',
      content:
        'I will create the files.\n\nYour site is ready: index.html, style.css and js/app.js.',
      prompt_tokens: 600,
      completion_tokens: 100,
    });
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      INDEX,
    );
    expect((await fileContent(t.http, user.token, sessionId, 'style.css')).body.content).toBe(CSS);
    expect((await fileContent(t.http, user.token, sessionId, 'js/app.js')).body.content).toBe(JS);

    const recorded = await steps(t.http, user.token, sessionId);
    expect(
      recorded.map((s) => [s.iteration, s.tool_name, s.status, s.progress, s.tool_arguments]),
    ).toEqual([
      [
        1,
        'write_file',
        'completed',
        100,
        { filename: 'index.html', content_bytes: Buffer.byteLength(INDEX) },
      ],
      [2, 'write_file', 'completed', 100, { filename: 'style.css', content_bytes: CSS.length }],
      [3, 'write_file', 'completed', 100, { filename: 'js/app.js', content_bytes: JS.length }],
    ]);
    for (const s of recorded) {
      expect(s).toMatchObject({ session_id: sessionId, message_id: res.body.id, error: null });
      expect(Date.parse(s.finished_at)).toBeGreaterThanOrEqual(Date.parse(s.started_at));
    }

    // The model was told about the sandbox and got a result for every call.
    const requests = fake.requests.slice(first);
    expect(requests).toHaveLength(4);
    expect(requests[0].body).toMatchObject({
      model: 'fake-model',
      max_tokens: 8192,
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(requests[0].body.tools.map((x: any) => x.function.name).sort()).toEqual([
      'delete_file',
      'edit_file',
      'get_preview_errors',
      'list_files',
      'move_file',
      'read_file',
      'search_files',
      'update_plan',
      'write_file',
    ]);
    expect(requests[0].body.messages[0].role).toBe('system');
    expect(requests[0].body.messages[0].content).toContain('index.html');
    // The system message is the same in every round; the sandbox state ends the last message.
    expect(requests.map((r) => r.body.messages[0])).toEqual(
      requests.map(() => requests[0].body.messages[0]),
    );
    expect(requests[0].body.messages).toHaveLength(2);
    expect(requests[0].body.messages.at(-1)).toEqual({
      role: 'user',
      content: expect.stringMatching(
        /^Build me a landing page\n\n<environment_details>\n[\s\S]*\(the sandbox is empty\)/,
      ),
    });
    expect(requests[3].body.messages.at(-1).content).toMatch(/js\/app\.js \(\d+ bytes\)/);
    const results = Object.values(toolResults(requests[3].body));
    expect(results).toHaveLength(3);
    expect(results.every((r) => r.ok === true)).toBe(true);

    const messages = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: user.token });
    expect(messages.body.map((m: any) => [m.role, m.status])).toEqual([
      ['user', 'completed'],
      ['assistant', 'completed'],
    ]);
  });

  it('records and runs parallel tool calls of one response in order', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script([
      streamed(
        callTools([
          { name: 'write_file', args: { filename: 'a.html', content: 'A' }, id: 'call_a' },
          { name: 'write_file', args: { filename: 'b.css', content: 'B' }, id: 'call_b' },
          { name: 'list_files', args: {}, id: 'call_c' },
        ]),
      ),
      streamed(say('Three calls done.')),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'parallel please');
    expect(res.status).toBe(200);
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => [s.iteration, s.tool_name, s.status])).toEqual([
      [1, 'write_file', 'completed'],
      [1, 'write_file', 'completed'],
      [1, 'list_files', 'completed'],
    ]);
    const starts = recorded.map((s) => Date.parse(s.started_at));
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const second = fake.requests[first + 1].body.messages;
    const assistant = second.find((m: any) => m.role === 'assistant');
    expect(assistant.tool_calls.map((c: any) => c.id)).toEqual(['call_a', 'call_b', 'call_c']);
    const tools = second.filter((m: any) => m.role === 'tool');
    expect(tools.map((m: any) => m.tool_call_id)).toEqual(['call_a', 'call_b', 'call_c']);
    // list_files ran after both writes.
    expect(JSON.parse(withoutEnvironment(tools[2].content)).files.map((f: any) => f.name)).toEqual([
      'a.html',
      'b.css',
    ]);
  });

  it('edits an existing file with an exact, unique replacement', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(
      t.http,
      user.token,
      sessionId,
      'index.html',
      '<h1>Old title</h1><p>keep me</p>',
    );
    const first = script([
      streamed(
        callTools([
          {
            name: 'edit_file',
            args: { filename: 'index.html', old_string: 'Old title', new_string: 'New title' },
          },
        ]),
      ),
      streamed(
        callTools([
          {
            name: 'edit_file',
            args: { filename: 'index.html', old_string: 'missing text', new_string: 'x' },
          },
        ]),
      ),
      streamed(say('Renamed the title.')),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'rename the title');
    expect(res.status).toBe(200);
    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      '<h1>New title</h1><p>keep me</p>',
    );
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => [s.tool_name, s.status])).toEqual([
      ['edit_file', 'completed'],
      ['edit_file', 'failed'],
    ]);
    expect(recorded[0].tool_arguments).toEqual({
      filename: 'index.html',
      old_string_bytes: 9,
      new_string_bytes: 9,
    });
    expect(recorded[1].error).toMatch(/not found/);
    const result = Object.values(toolResults(fake.requests[first + 2].body));
    expect(result[1]).toEqual({ ok: false, error: expect.stringMatching(/not found/) });
  });

  it('shows progress below 100 while a slow tool call streams in', async () => {
    const sessionId = await createSession(t.http, user.token);
    const big = 'x'.repeat(20_000);
    script([
      streamed(
        callTools([{ name: 'write_file', args: { filename: 'big.txt', content: big } }], 40),
        { delayMs: 60 },
      ),
      streamed(say('Wrote it.')),
    ]);
    const pending = postMessage(t.http, user.token, sessionId, 'write a big file');
    const seen = await eventually(
      async () => {
        const s = await steps(t.http, user.token, sessionId);
        return s[0] && s[0].progress > 0 && s[0].progress < 100 ? s[0] : undefined;
      },
      10_000,
      'a step with progress between 0 and 100',
    );
    expect(seen.status).toBe('pending');
    expect(seen.tool_arguments).toEqual({ filename: 'big.txt' });
    const res = await pending;
    expect(res.status).toBe(200);
    const [done] = await steps(t.http, user.token, sessionId);
    expect(done).toMatchObject({
      status: 'completed',
      progress: 100,
      tool_arguments: { filename: 'big.txt', content_bytes: 20_000 },
    });
  });

  it.each([
    [
      'a path that climbs out of the sandbox',
      { name: 'write_file', args: { filename: '../../etc/passwd', content: 'x' } },
      /Invalid filename/,
    ],
    [
      'a percent-encoded traversal',
      { name: 'read_file', args: { filename: '%2e%2e%2fsecret' } },
      /Invalid filename/,
    ],
    [
      'malformed JSON arguments',
      { name: 'write_file', args: '{"filename": "a.html", "content": ' },
      /Invalid JSON/,
    ],
    ['an unknown tool', { name: 'rm_rf', args: { path: '/' } }, /Unknown tool "rm_rf"/],
    ['a missing file', { name: 'read_file', args: { filename: 'nope.html' } }, /not found/i],
    [
      'a 2 MiB file',
      { name: 'write_file', args: { filename: 'huge.txt', content: 'y'.repeat(2 * 1024 * 1024) } },
      /limit/,
    ],
  ])(
    'returns %s to the model as a failed tool result and carries on',
    async (_label, call, error) => {
      const sessionId = await createSession(t.http, user.token);
      const first = script([
        streamed(callTools([call], 8)),
        streamed(say('I see the error; stopping here.')),
      ]);
      const res = await postMessage(t.http, user.token, sessionId, 'try something odd');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        status: 'completed',
        content: 'I see the error; stopping here.',
      });
      const [step] = await steps(t.http, user.token, sessionId);
      expect(step).toMatchObject({ status: 'failed', progress: 100, tool_name: call.name });
      expect(step.error).toMatch(error);
      const [result] = Object.values(toolResults(fake.requests[first + 1].body));
      expect(result).toEqual({ ok: false, error: expect.stringMatching(error) });
      const files = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
        token: user.token,
      });
      expect(files.body).toEqual({ files: [], total_size: 0 });
      const leaked = await t.db.query(
        `SELECT path FROM sandbox_files WHERE path LIKE '%passwd%' OR path LIKE '%..%'`,
      );
      expect(leaked).toEqual([]);
    },
  );

  it('keeps the tool arguments of a step small', async () => {
    const sessionId = await createSession(t.http, user.token);
    script([
      streamed(
        callTools([
          { name: 'write_file', args: { filename: 'page.html', content: 'z'.repeat(5000) } },
        ]),
      ),
      streamed(say('ok')),
    ]);
    await postMessage(t.http, user.token, sessionId, 'x');
    const [step] = await steps(t.http, user.token, sessionId);
    expect(step.tool_arguments).toEqual({ filename: 'page.html', content_bytes: 5000 });
    const rows = await t.db.query<{ size: number }>(
      `SELECT pg_column_size(tool_arguments) AS size FROM execution_steps WHERE id = $1`,
      [step.id],
    );
    expect(rows[0].size).toBeLessThan(200);
  });

  it('sends earlier messages of the session as history', async () => {
    const sessionId = await createSession(t.http, user.token);
    script([streamed(say('First answer.'))]);
    await postMessage(t.http, user.token, sessionId, 'first question');
    const second = script([streamed(say('Second answer.'))]);
    await postMessage(t.http, user.token, sessionId, 'second question');
    const messages = fake.requests[second].body.messages
      .filter((m: any) => m.role !== 'system')
      .map((m: any) => ({ ...m, content: withoutEnvironment(m.content) }));
    expect(messages).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'First answer.' },
      { role: 'user', content: 'second question' },
    ]);
  });
});
