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
});
