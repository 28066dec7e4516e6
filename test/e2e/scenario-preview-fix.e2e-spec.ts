import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.js';
import { fileContent, llmEnv, postMessage, toolResults } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed, type Reply } from '../support/fake-openai.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BROWSER_TIMEOUT = 90_000;
const INDEX = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Cafe</title></head>
<body>
  <button id="toggle">Menu</button>
  <nav id="menu" hidden>Coffee, tea</nav>
  <script src="js/menu.js"></script>
</body>
</html>
`;
// The bug a model typically makes: the wrong id, so the element is null.
const BUGGY_JS = `const menu = document.getElementById('main-menu');
menu.hidden = false;
document.body.dataset.ready = 'yes';
`;

interface ReportedError {
  message: string;
  source: string | null;
  line: number | null;
  version: number;
}

describe('scenario: the user says the page is broken, the agent reads the preview errors and fixes it', () => {
  const fake = new FakeOpenAi(() => streamed(say('nothing scripted')));
  let t: TestApp;
  let user: TestUser;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    await fake.start();
    t = await startTestApp(llmEnv(fake));
    user = await registerUser(t.http, 'scenario');
    browser = await launchChromium(executablePath);
  }, BROWSER_TIMEOUT);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
    await fake.close();
  }, BROWSER_TIMEOUT);

  const script = (replies: Reply[]) => {
    const offset = fake.requests.length;
    fake.script = (_req, n) => replies[n - offset] ?? streamed(say('All done.'));
    return offset;
  };

  /**
   * Opens the preview as the user would, waits for its load, then keeps it open until `settled`
   * holds (the reporter's POSTs have landed); answers what the page's script marked.
   */
  async function openPreview(
    sessionId: string,
    settled: () => Promise<boolean>,
  ): Promise<string | undefined> {
    const context = await browser!.newContext();
    try {
      const page = await context.newPage();
      await page.goto(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/preview?token=${user.token}`);
      await page.waitForLoadState('load');
      for (let i = 0; i < 100 && !(await settled()); i += 1) {
        await new Promise((r) => setTimeout(r, 100));
      }
      return await page.evaluate<string | undefined>('document.body.dataset.ready');
    } finally {
      await context.close();
    }
  }

  const errorsOf = async (sessionId: string) =>
    (await t.http.get(`/api/sessions/${sessionId}/sandbox/preview-errors`, { token: user.token }))
      .body.errors as ReportedError[];

  it(
    'reports the error, hands it to the model, and the fixed page runs clean',
    async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, sessionId, 'index.html', INDEX);
      await writeFile(t.http, user.token, sessionId, 'js/menu.js', BUGGY_JS);

      const reportedOne = async () => (await errorsOf(sessionId)).length > 0;
      expect(await openPreview(sessionId, reportedOne)).toBeUndefined();
      const reported = await errorsOf(sessionId);
      expect(reported).toEqual([
        expect.objectContaining({ source: 'js/menu.js', line: 2, version: 2 }),
      ]);
      expect(reported[0].message).toMatch(/null/);

      const first = script([
        streamed(callTools([{ name: 'get_preview_errors', id: 'call_errors', args: {} }])),
        streamed(
          callTools([
            {
              name: 'edit_file',
              id: 'call_fix',
              args: {
                filename: 'js/menu.js',
                old_string: "getElementById('main-menu')",
                new_string: "getElementById('menu')",
              },
            },
          ]),
        ),
        streamed(say('Fixed: js/menu.js looked for #main-menu, the page has #menu.')),
      ]);
      const res = await postMessage(t.http, user.token, sessionId, 'the menu does not open');
      expect(res.body).toMatchObject({ status: 'completed', version_after: 3 });

      // What the model saw: the error with its file and line, then its fix in context.
      const results = toolResults(fake.requests[first + 2].body);
      expect(results.call_errors.errors).toEqual([
        expect.objectContaining({ kind: 'error', source: 'js/menu.js', line: 2, version: 2 }),
      ]);
      expect(results.call_fix).toMatchObject({
        ok: true,
        edits: [{ match: 'exact', replacements: 1 }],
        changed_lines: expect.stringContaining("1| const menu = document.getElementById('menu');"),
      });
      expect((await fileContent(t.http, user.token, sessionId, 'js/menu.js')).body.content).toBe(
        BUGGY_JS.replace('main-menu', 'menu'),
      );

      // The fixed version runs and reports nothing; the old error stays with the old version.
      expect(await openPreview(sessionId, () => Promise.resolve(true))).toBe('yes');
      const after = await errorsOf(sessionId);
      expect(after.map((e) => e.version)).toEqual([2]);
    },
    BROWSER_TIMEOUT,
  );
});
