import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import { postMessage } from '../support/agent-helpers.js';
import { callTools, say, streamed } from '../support/fake-openai.js';
import {
  createSession,
  registerAdmin,
  registerUser,
  writeFile,
  type TestUser,
} from '../support/factories.js';
import {
  openConsole,
  screenshot,
  seriousA11yViolations,
  startConsoleRig,
  type ConsoleRig,
} from '../support/console-browser.js';
import { openTab, passes, previewFrame, signInInUi, visible } from '../support/console-ui.js';

const TIMEOUT = 90_000;
const INDEX = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Bakery</title><link rel="stylesheet" href="style.css"></head>
<body>
  <h1>Rye &amp; Co</h1>
  <p>Fresh bread every morning.</p>
</body>
</html>
`;

/**
 * axe-core on every screen of the console, light and dark; any serious or critical violation fails
 * with one line per element. The data is set up through the API (this spec is about the screens).
 */
describe('web console accessibility (axe-core), light and dark', () => {
  let rig: ConsoleRig;
  let owner: TestUser;
  let sessionId: string;
  let diffVersion: number;

  beforeAll(async () => {
    rig = await startConsoleRig();
    owner = await registerAdmin(rig.app, 'a11y');
    // A second user, so the admin screens have more than one row.
    await registerUser(rig.app.http, 'designer');
    sessionId = await createSession(rig.app.http, owner.token, 'Bakery site');
    rig.fake!.scriptFromNow((k) =>
      k === 0
        ? streamed(
            callTools([
              { name: 'write_file', args: { filename: 'index.html', content: INDEX } },
              {
                name: 'write_file',
                args: { filename: 'style.css', content: 'h1 { color: #7a3e00; }\n' },
              },
            ]),
          )
        : streamed(say('Made **Rye & Co**: a page and a stylesheet.\n\n- index.html\n- style.css')),
    );
    const turn = await postMessage(rig.app.http, owner.token, sessionId, 'A bakery page');
    expect(turn.body).toMatchObject({ status: 'completed' });
    await writeFile(
      rig.app.http,
      owner.token,
      sessionId,
      'index.html',
      INDEX.replace('every morning', 'all day long'),
    );
    const versions = await rig.app.http.get(`/api/sessions/${sessionId}/versions`, {
      token: owner.token,
    });
    diffVersion = (versions.body as { version: number }[])[0].version;
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  async function scan(page: Page, screen: string, found: string[]): Promise<void> {
    for (const v of await seriousA11yViolations(page)) {
      found.push(`[${screen}] ${v}`);
    }
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(
      `has no serious or critical violations on any screen (${scheme})`,
      async () => {
        const { page, problems, context } = await openConsole(rig, '/', { colorScheme: scheme });
        const found: string[] = [];
        const background = () =>
          page.evaluate<string>('getComputedStyle(document.body).backgroundColor');

        await visible(page.getByRole('heading', { name: 'Sign in' }));
        // The scheme really applies (a dark page has a dark background).
        const [r, g, b] = (await background()).match(/\d+/g)!.map(Number);
        expect(scheme === 'dark' ? r + g + b < 3 * 90 : r + g + b > 3 * 180).toBe(true);
        await scan(page, 'sign-in', found);
        if (scheme === 'dark') {
          await screenshot(page, 'sign-in-dark');
        }

        await signInInUi(page, { ...owner });
        await page.goto(`${rig.app.baseUrl}/sessions/${sessionId}`);
        await visible(page.getByText('Finished: completed'));
        await visible(previewFrame(page).getByRole('heading', { name: 'Rye & Co' }));
        await scan(page, 'workspace (chat + preview)', found);
        if (scheme === 'dark') {
          await screenshot(page, 'workspace-dark');
        }

        await openTab(page, 'Files');
        await page
          .getByRole('tree', { name: 'Files' })
          .getByRole('treeitem', { name: 'index.html' })
          .click();
        await visible(
          page.getByRole('region', { name: 'Editor: index.html' }).getByText('all day long'),
        );
        await scan(page, 'files with the editor open', found);

        await openTab(page, 'Versions');
        await page.getByRole('button', { name: `Show changes of version ${diffVersion}` }).click();
        await visible(page.getByRole('tabpanel').getByText('all day long'));
        await scan(page, 'versions with a diff', found);

        await page.getByRole('link', { name: 'Admin' }).click();
        await visible(page.getByRole('table', { name: 'Users' }));
        await visible(page.getByRole('table', { name: 'Usage' }));
        await scan(page, 'admin', found);
        if (scheme === 'light') {
          await screenshot(page, 'admin');
        }

        expect(found).toEqual([]);
        if (scheme === 'light') {
          // The Theme choice overrides the system's and is kept across a reload.
          await page.getByRole('combobox', { name: 'Theme' }).selectOption('dark');
          const sum = async () =>
            (await background())
              .match(/\d+/g)!
              .map(Number)
              .slice(0, 3)
              .reduce((a, c) => a + c, 0);
          await passes(async () => expect(await sum()).toBeLessThan(3 * 90));
          await page.reload();
          await visible(page.getByRole('table', { name: 'Users' }));
          expect(await sum()).toBeLessThan(3 * 90);
        }
        problems.expectNone();
        await context.close();
      },
      TIMEOUT,
    );
  }
});
