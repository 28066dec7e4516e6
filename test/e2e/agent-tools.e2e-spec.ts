import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage, steps, toolResults } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const CSS = 'body {\n  color: red;\n  margin: 0;\n}\n\nh1 {\n    font-size: 2rem;\n}\n';

describe('agent tools over the real loop (scripted model)', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake));
    user = await registerUser(t.http, 'tools');
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

  it('edit_file applies several edits in one call and shows the model the changed lines', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'style.css', CSS);
    const first = script([
      streamed(
        callTools([
          {
            name: 'edit_file',
            args: {
              filename: 'style.css',
              edits: [
                { old_string: 'color: red;', new_string: 'color: navy;' },
                // Indented differently from the file: matched line by line, ignoring whitespace.
                {
                  old_string: 'h1 {\n  font-size: 2rem;\n}',
                  new_string: 'h1 {\n  font-size: 3rem;\n}',
                },
              ],
            },
          },
        ]),
      ),
      streamed(
        callTools([
          {
            name: 'edit_file',
            args: {
              filename: 'style.css',
              edits: [
                { old_string: 'margin: 0;', new_string: 'margin: 1rem;' },
                { old_string: 'h1 {\n  font-size: 2em;\n}', new_string: 'h1 {}' },
              ],
            },
          },
        ]),
      ),
      streamed(say('Restyled.')),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'make it navy');
    expect(res.status).toBe(200);

    // The first call landed whole; the second changed nothing, its first edit included.
    expect((await fileContent(t.http, user.token, sessionId, 'style.css')).body.content).toBe(
      'body {\n  color: navy;\n  margin: 0;\n}\n\nh1 {\n  font-size: 3rem;\n}\n',
    );
    const results = Object.values(toolResults(fake.requests[first + 2].body));
    expect(results[0]).toMatchObject({
      ok: true,
      edits: [
        { match: 'exact', replacements: 1 },
        { match: 'whitespace-insensitive', replacements: 1 },
      ],
      changed_lines: expect.stringContaining('2|   color: navy;'),
    });
    expect(results[0].changed_lines).toContain('7|   font-size: 3rem;');
    expect(results[1]).toEqual({
      ok: false,
      error: expect.stringMatching(
        /^edit 2 of 2: old_string was not found in style\.css .*closest lines are:\n5\| \n6\| h1 \{\n7\| {3}font-size: 3rem;\n8\| \}/s,
      ),
    });
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => [s.tool_name, s.status])).toEqual([
      ['edit_file', 'completed'],
      ['edit_file', 'failed'],
    ]);
  });

  it('offers the model all nine tools, and the system prompt names each', async () => {
    const sessionId = await createSession(t.http, user.token);
    const first = script([streamed(say('Hello.'))]);
    expect((await postMessage(t.http, user.token, sessionId, 'hi')).status).toBe(200);
    const body = fake.requests[first].body;
    const names = (body.tools as { function: { name: string } }[]).map((x) => x.function.name);
    expect(names.sort()).toEqual([
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
    const system = (body.messages as { role: string; content: string }[]).find(
      (m) => m.role === 'system',
    )!;
    for (const name of names) {
      expect(system.content).toContain(name);
    }
  });

  it('search_files answers with file and line; move_file moves in one version', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'style.css', CSS);
    await writeFile(t.http, user.token, sessionId, 'app.js', 'const hero = 1;\n');
    const first = script([
      streamed(
        callTools([
          { name: 'search_files', args: { pattern: 'font-size:\\s+\\d', glob: '*.css' } },
          { name: 'move_file', id: 'call_move', args: { from: 'app.js', to: 'js/app.js' } },
          { name: 'move_file', id: 'call_clash', args: { from: 'style.css', to: 'js/app.js' } },
        ]),
      ),
      streamed(say('Moved.')),
    ]);
    expect((await postMessage(t.http, user.token, sessionId, 'tidy up')).status).toBe(200);
    const results = toolResults(fake.requests[first + 1].body);
    const [search] = Object.values(results);
    expect(search).toEqual({
      ok: true,
      matches: [{ file: 'style.css', line: 7, text: '    font-size: 2rem;' }],
      total_matches: 1,
      files_searched: 1,
    });
    expect(results.call_move).toMatchObject({ ok: true, from: 'app.js', to: 'js/app.js' });
    expect(results.call_clash).toEqual({
      ok: false,
      error: 'js/app.js already exists; delete it first or choose another name',
    });
    const files = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
      token: user.token,
    });
    expect((files.body as { files: { name: string }[] }).files.map((f) => f.name)).toEqual([
      'js/app.js',
      'style.css',
    ]);
    const versions = await t.http.get(`/api/sessions/${sessionId}/versions`, { token: user.token });
    const newest = (versions.body as { version: number; source: string; changes: unknown[] }[])[0];
    expect(newest).toMatchObject({ version: results.call_move.version, source: 'agent' });
    expect(newest.changes).toEqual(
      expect.arrayContaining([
        { filename: 'app.js', change: 'deleted', size: 0 },
        { filename: 'js/app.js', change: 'added', size: 16 },
      ]),
    );
  });

  it('get_preview_errors returns what the preview reported for the current version only', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<p>v1</p>');
    const token = (
      await t.http.post(`/api/sessions/${sessionId}/sandbox/preview-token`, { token: user.token })
    ).body.token as string;
    const report = (version: number, message: string) =>
      fetch(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/site/${token}/__errors`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({ kind: 'error', message, source: null, line: 1, column: 2, version }),
      });
    expect((await report(1, 'old bug')).status).toBe(204);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<p>v2</p>');
    expect((await report(2, 'TypeError: menu is null')).status).toBe(204);
    const first = script([
      streamed(callTools([{ name: 'get_preview_errors', id: 'call_errors', args: {} }])),
      streamed(say('Found it.')),
    ]);
    expect((await postMessage(t.http, user.token, sessionId, 'the menu is broken')).status).toBe(
      200,
    );
    expect(toolResults(fake.requests[first + 1].body).call_errors).toEqual({
      ok: true,
      errors: [
        {
          kind: 'error',
          message: 'TypeError: menu is null',
          source: null,
          line: 1,
          column: 2,
          version: 2,
          at: expect.any(String),
        },
      ],
    });
  });
});
