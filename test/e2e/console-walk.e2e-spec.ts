import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Page } from 'playwright-core';
import yauzl from 'yauzl';
import { callTools, say, streamed } from '../support/fake-openai.js';
import {
  openConsole,
  screenshot,
  startConsoleRig,
  type ConsoleRig,
  type PageProblems,
} from '../support/console-browser.js';
import {
  clickAndConfirm,
  composer,
  conversation,
  createSessionInUi,
  gone,
  newUserName,
  openTab,
  passes,
  previewFrame,
  registerInUi,
  sendInUi,
  storedToken,
  untilTurnEnds,
  visible,
  UI_TIMEOUT,
} from '../support/console-ui.js';

const TIMEOUT = 60_000;

const INDEX = `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Cafe Aurora</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <h1>Cafe Aurora</h1>
  <p id="tagline">Coffee at dawn</p>
</body>
</html>
`;
const STYLE = 'body { background-color: rgb(250, 240, 220); font-family: sans-serif; }\n';
const EDITED_INDEX = INDEX.replace('Coffee at dawn', 'Coffee all day');

/** The entries of a zip file and their text. */
function readZip(path: string): Promise<Record<string, string>> {
  return new Promise((done, fail) => {
    yauzl.open(path, { lazyEntries: true }, (err, zip) => {
      if (err) {
        return fail(err);
      }
      const out: Record<string, string> = {};
      zip.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName.endsWith('/')) {
          return zip.readEntry();
        }
        zip.openReadStream(entry, (e, stream) => {
          if (e) {
            return fail(e);
          }
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            out[entry.fileName] = Buffer.concat(chunks).toString('utf8');
            zip.readEntry();
          });
        });
      });
      zip.on('end', () => done(out));
      zip.on('error', fail);
      zip.readEntry();
    });
  });
}

describe('web console: the whole walk in a real browser, through the UI only', () => {
  let rig: ConsoleRig;
  let page: Page;
  let problems: PageProblems;
  let sessionId: string;
  const user = newUserName('walker');

  beforeAll(async () => {
    rig = await startConsoleRig({ env: { AGENT_MODELS: 'fake-model,fake-large' } });
    ({ page, problems } = await openConsole(rig, '/'));
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  /** Reads what the service stored, as the signed-in user (checks only; every action is in the UI). */
  const apiGet = async (path: string) => rig.app.http.get(path, { token: await storedToken(page) });

  it(
    'registers from the sign-in screen',
    async () => {
      await visible(page.getByRole('heading', { name: 'Sign in' }));
      await screenshot(page, 'sign-in');
      await registerInUi(page, user);
      await visible(page.getByRole('navigation', { name: 'Sessions' }));
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'creates a session from the sidebar and opens it',
    async () => {
      sessionId = await createSessionInUi(page, 'Cafe site');
      await visible(composer(page));
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'sends a message and shows the turn live: steps with progress bars that end completed, the ending and tokens',
    async () => {
      // Two tool calls over three requests, streamed slowly enough that the steps are seen running.
      rig.fake!.scriptFromNow((k) => {
        switch (k) {
          case 0:
            return streamed(
              callTools([{ name: 'write_file', args: { filename: 'index.html', content: INDEX } }]),
              { delayMs: 60 },
            );
          case 1:
            return streamed(
              callTools([{ name: 'write_file', args: { filename: 'style.css', content: STYLE } }]),
              { delayMs: 60 },
            );
          default:
            return streamed(say('I built **Cafe Aurora**: a page and its stylesheet.', 8), {
              delayMs: 250,
              usage: [1200, 80],
            });
        }
      });
      await sendInUi(page, 'Build a page for Cafe Aurora');
      await visible(conversation(page).getByText('Build a page for Cafe Aurora'));

      // Live: the Stop button while it runs, and the first step's bar before the turn has ended.
      await visible(page.getByRole('button', { name: 'Stop' }), 5_000);
      const steps = page.getByRole('list', { name: 'Steps' });
      const indexBar = steps.getByRole('progressbar', { name: 'write_file index.html' });
      await visible(indexBar, 5_000);
      expect(await page.getByText(/^Finished: /).count()).toBe(0);

      await untilTurnEnds(page, 'completed');
      const styleBar = steps.getByRole('progressbar', { name: 'write_file style.css' });
      for (const bar of [indexBar, styleBar]) {
        expect(await bar.getAttribute('aria-valuenow')).toBe('100');
      }
      const items = steps.getByRole('listitem');
      expect(await items.count()).toBe(2);
      for (let i = 0; i < 2; i += 1) {
        expect(await items.nth(i).innerText()).toMatch(/completed/);
      }
      // 1400 prompt + 120 completion tokens over the turn's three requests.
      await visible(page.getByText(/Tokens: 1[\s,.\u202f]?520\b/));
      await gone(page.getByRole('button', { name: 'Stop' }));

      // The assistant's Markdown is rendered (bold), not shown as asterisks.
      const log = conversation(page);
      await visible(log.locator('strong', { hasText: 'Cafe Aurora' }));
      expect(await log.innerText()).not.toContain('**Cafe Aurora**');
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'shows the site in the preview frame, styled',
    async () => {
      await openTab(page, 'Preview');
      const frame = previewFrame(page);
      await visible(frame.getByRole('heading', { name: 'Cafe Aurora' }));
      await visible(frame.getByText('Coffee at dawn'));
      // (the frame may still reload once as the turn's last refresh lands: read it again then)
      await passes(async () => {
        const bg = await frame
          .locator('body')
          .evaluate((b) => b.ownerDocument.defaultView!.getComputedStyle(b).backgroundColor, null, {
            timeout: 2_000,
          });
        expect(bg).toBe('rgb(250, 240, 220)');
      });
      await screenshot(page, 'workspace');
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'opens a file in the editor, edits it and saves it',
    async () => {
      await openTab(page, 'Files');
      const tree = page.getByRole('tree', { name: 'Files' });
      await visible(tree.getByRole('treeitem', { name: 'style.css' }));
      await tree.getByRole('treeitem', { name: 'index.html' }).click();
      const editor = page.getByRole('region', { name: 'Editor: index.html' });
      await visible(editor);
      const text = editor.getByRole('textbox');
      await visible(text.getByText('Coffee at dawn'));
      // Highlighted as HTML: the code editor marks tags up, a textarea would not.
      // (the language support loads on demand, so it may colour the text a moment later).
      await passes(async () =>
        expect(await editor.locator('.cm-content span').count()).toBeGreaterThan(5),
      );

      await text.click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.insertText(EDITED_INDEX);
      await visible(text.getByText('Coffee all day'));
      await page.getByRole('button', { name: 'Save', exact: true }).click();

      await passes(async () => {
        const saved = await apiGet(`/api/sessions/${sessionId}/sandbox/files/index.html`);
        expect(saved.body.content).toBe(EDITED_INDEX);
      });
      await screenshot(page, 'files-editor');
      await openTab(page, 'Preview');
      await visible(previewFrame(page).getByText('Coffee all day'));
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'shows the new version in the versions tab, with its diff unified and side by side',
    async () => {
      const versions = await apiGet(`/api/sessions/${sessionId}/versions`);
      const saved = versions.body[0] as { version: number; source: string };
      expect(saved.source).toBe('api');

      await openTab(page, 'Versions');
      const list = page.getByRole('list', { name: 'Versions' });
      await visible(list);
      await list.getByRole('button', { name: `Show changes of version ${saved.version}` }).click();
      const panel = page.getByRole('tabpanel');
      await visible(panel.getByText('Coffee all day'));
      await visible(panel.getByText('Coffee at dawn'));
      for (const mode of ['Side by side', 'Unified']) {
        await panel.getByRole(await roleOf(panel, mode), { name: mode }).click();
        await visible(panel.getByText('Coffee all day'));
        if (mode === 'Side by side') {
          await screenshot(page, 'versions-diff');
        }
      }
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'undoes a second turn: its files and the preview go back',
    async () => {
      rig.fake!.scriptFromNow((k) =>
        k === 0
          ? streamed(
              callTools([
                {
                  name: 'edit_file',
                  args: {
                    filename: 'index.html',
                    old_string: 'Cafe Aurora</h1>',
                    new_string: 'Cafe Borealis</h1>',
                  },
                },
                { name: 'write_file', args: { filename: 'about.html', content: '<h1>About</h1>' } },
              ]),
              { delayMs: 30 },
            )
          : streamed(say('Renamed it and added an about page.'), { delayMs: 30 }),
      );
      await openTab(page, 'Preview');
      // This turn runs on another model, chosen in the chat header.
      const model = page.getByRole('combobox', { name: 'Model' });
      await model.selectOption('fake-large');
      await passes(async () => {
        const session = await apiGet(`/api/sessions/${sessionId}`);
        expect(session.body.model).toBe('fake-large');
      });
      const firstRequest = rig.fake!.requests.length;
      await sendInUi(page, 'Rename to Borealis');
      await untilTurnEnds(page, 'completed', 2);
      await visible(previewFrame(page).getByRole('heading', { name: 'Cafe Borealis' }));
      const asked = rig.fake!.requests.slice(firstRequest).map((r) => r.body.model as string);
      expect(new Set(asked)).toEqual(new Set(['fake-large']));

      await openTab(page, 'Versions');
      const panel = page.getByRole('tabpanel');
      // The innermost part of the timeline that holds the turn's heading and its undo button.
      const turn = panel
        .locator('*')
        .filter({ hasText: 'Rename to Borealis' })
        .filter({ has: page.getByRole('button', { name: 'Undo this turn' }) })
        .last();
      await clickAndConfirm(
        page,
        turn.getByRole('button', { name: 'Undo this turn' }),
        /^(Undo|Undo this turn|Restore)$/,
      );
      await passes(async () => {
        const files = await apiGet(`/api/sessions/${sessionId}/sandbox/files`);
        expect(JSON.stringify(files.body)).not.toContain('about.html');
      });

      await openTab(page, 'Files');
      const tree = page.getByRole('tree', { name: 'Files' });
      await visible(tree.getByRole('treeitem', { name: 'index.html' }));
      await gone(tree.getByRole('treeitem', { name: 'about.html' }));
      await openTab(page, 'Preview');
      const frame = previewFrame(page);
      await visible(frame.getByRole('heading', { name: 'Cafe Aurora' }));
      // The undo keeps what was there before the turn, the editor's save included.
      await visible(frame.getByText('Coffee all day'));
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'downloads the sandbox as a zip with the files of the current version',
    async () => {
      await openTab(page, 'Files');
      const [download] = await Promise.all([
        page.waitForEvent('download', { timeout: UI_TIMEOUT }),
        page.getByRole('button', { name: 'Download zip' }).click(),
      ]);
      expect(download.suggestedFilename()).toMatch(/\.zip$/);
      const path = await download.path();
      const entries = await readZip(path);
      expect(Object.keys(entries).sort()).toEqual(['index.html', 'style.css']);
      expect(entries['index.html']).toBe(EDITED_INDEX);
      expect(entries['style.css']).toBe(STYLE);
      problems.expectNone();
    },
    TIMEOUT,
  );

  it(
    'restores the first version after a confirmation',
    async () => {
      await openTab(page, 'Versions');
      await page.getByRole('button', { name: 'Restore to version 1' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByRole('button', { name: 'Restore' }).click();
      await gone(dialog);
      await passes(async () => {
        const files = await apiGet(`/api/sessions/${sessionId}/sandbox/files`);
        expect(JSON.stringify(files.body)).not.toContain('style.css');
      });
      await openTab(page, 'Preview');
      await visible(previewFrame(page).getByText('Coffee at dawn'));
      problems.expectNone();
    },
    TIMEOUT,
  );
});

/** "Unified" / "Side by side" are radio buttons or toggle buttons (the contract allows both). */
async function roleOf(
  scope: ReturnType<Page['getByRole']>,
  name: string,
): Promise<'radio' | 'button'> {
  return (await scope.getByRole('radio', { name }).count()) > 0 ? 'radio' : 'button';
}
