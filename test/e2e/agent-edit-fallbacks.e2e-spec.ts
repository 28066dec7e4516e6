import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { fileContent, llmEnv, postMessage, steps, toolResults } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * edit_file's matching fallbacks (issue 19 item 4) through the real loop: a model's edits that miss
 * the exact text in the ways models miss it — a block without its indentation, arguments escaped once
 * too often, a middle line misremembered — land, and the result sent back to the model says how.
 */
const PAGE = [
  '<main>',
  '  <section class="menu">',
  '    <article class="card">',
  '      <h3>Sourdough</h3>',
  '      <p>Slow-fermented for 36 hours.</p>',
  '      <span class="price">€6</span>',
  '    </article>',
  '  </section>',
  '  <a class="btn" href="#order">Order</a>',
  '</main>',
  '',
].join('\n');

describe('edit_file fallbacks over the real loop (scripted model)', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake));
    user = await registerUser(t.http, 'fallbacks');
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

  it('applies an indentation-tolerant, an escape-normalised and an anchored edit and says which', async () => {
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', PAGE);
    const first = script([
      streamed(
        callTools([
          {
            name: 'edit_file',
            args: {
              filename: 'index.html',
              edits: [
                // Written at column 0: the file's six spaces are kept, for the new line too.
                {
                  old_string: '<h3>Sourdough</h3>\n<p>Slow-fermented for 36 hours.</p>',
                  new_string:
                    '<h3>Sourdough</h3>\n<p>Slow-fermented for 36 hours.</p>\n<p>Baked daily.</p>',
                },
                // Double-encoded: literal backslashes before the quotes.
                {
                  old_string: '<a class=\\"btn\\" href=\\"#order\\">Order</a>',
                  new_string: '<a class=\\"btn\\" href=\\"#visit\\">Visit us</a>',
                },
                // The price misremembered; the block is found by its first and last lines.
                {
                  old_string:
                    '    <article class="card">\n      <h3>Sourdough</h3>\n' +
                    '      <p>Slow-fermented for 36 hours.</p>\n      <p>Baked daily.</p>\n' +
                    '      <span class="price">€5</span>\n    </article>',
                  new_string:
                    '    <article class="card">\n      <h3>Sourdough</h3>\n' +
                    '      <p>Slow-fermented for 36 hours.</p>\n      <p>Baked daily.</p>\n' +
                    '      <span class="price">€7</span>\n    </article>',
                },
              ],
            },
          },
        ]),
      ),
      streamed(say('Updated the menu.')),
    ]);
    const res = await postMessage(t.http, user.token, sessionId, 'add a line and fix the link');
    expect(res.status).toBe(200);

    expect((await fileContent(t.http, user.token, sessionId, 'index.html')).body.content).toBe(
      PAGE.replace(
        '      <span class="price">€6</span>',
        '      <p>Baked daily.</p>\n      <span class="price">€7</span>',
      ).replace('href="#order">Order</a>', 'href="#visit">Visit us</a>'),
    );
    const [result] = Object.values(toolResults(fake.requests[first + 1].body));
    expect(result).toMatchObject({
      ok: true,
      edits: [
        { match: 'indentation-tolerant', replacements: 1 },
        { match: 'escape-normalized', replacements: 1 },
        { match: 'block-anchors', replacements: 1, similarity: expect.any(Number) },
      ],
    });
    expect(result.changed_lines).toContain('6|       <p>Baked daily.</p>');
    const recorded = await steps(t.http, user.token, sessionId);
    expect(recorded.map((s) => [s.tool_name, s.status])).toEqual([['edit_file', 'completed']]);
  });
});
