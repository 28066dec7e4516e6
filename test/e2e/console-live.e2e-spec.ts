import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { callTools, say, streamed } from '../support/fake-openai.js';
import { openConsole, startConsoleRig, type ConsoleRig } from '../support/console-browser.js';
import {
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
} from '../support/console-ui.js';

const TIMEOUT = 60_000;
const BROKEN_PAGE = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Menu</title></head>
<body><h1>Menu page</h1><nav id="menu" hidden>Tea</nav><script src="menu.js"></script></body></html>
`;
const BROKEN_JS = "document.getElementById('main-menu').hidden = false;\n";

/** Turns while they run: re-attaching after a reload, Stop, page errors, and an editor conflict. */
describe('web console: running turns, page errors and conflicts', () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig();
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  it(
    're-attaches to a running turn after a reload, then Stop cancels the next one',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await registerInUi(page, newUserName('live'));
      await createSessionInUi(page, 'Long turn');

      // A step, then a slow answer: ~4 s of text after the step has completed.
      rig.fake!.scriptFromNow((k) =>
        k === 0
          ? streamed(
              callTools([
                { name: 'write_file', args: { filename: 'a.html', content: '<p>a</p>' } },
              ]),
            )
          : streamed(say('Still writing this long answer, piece by piece.', 10), { delayMs: 400 }),
      );
      await sendInUi(page, 'Take your time');
      const steps = page.getByRole('list', { name: 'Steps' });
      await visible(steps.getByRole('progressbar', { name: 'write_file a.html' }), 5_000);
      await page.reload();
      // After the reload the same turn is shown still running (Stop), then ending, without sending again.
      await visible(page.getByRole('button', { name: 'Stop' }), 2_000);
      await visible(steps.getByRole('progressbar', { name: 'write_file a.html' }));
      await untilTurnEnds(page);
      await visible(
        conversation(page).getByText('Still writing this long answer, piece by piece.'),
      );
      expect(await conversation(page).getByText('Take your time').count()).toBe(1);

      // Stop: a turn whose model never answers ends as cancelled.
      rig.fake!.scriptFromNow(() => ({ kind: 'hang' }));
      await sendInUi(page, 'This will hang');
      const stop = page.getByRole('button', { name: 'Stop' });
      await visible(stop, 5_000);
      await stop.click();
      await visible(page.getByText('Finished: cancelled'));
      await gone(stop);
      await visible(page.getByRole('button', { name: 'Send' }));
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'lists the preview page’s errors and sends them to the agent with "Ask the agent to fix"',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await registerInUi(page, newUserName('errors'));
      await createSessionInUi(page, 'Broken menu');
      rig.fake!.scriptFromNow((k) =>
        k === 0
          ? streamed(
              callTools([
                { name: 'write_file', args: { filename: 'index.html', content: BROKEN_PAGE } },
                { name: 'write_file', args: { filename: 'menu.js', content: BROKEN_JS } },
              ]),
            )
          : streamed(say('Here is the menu.')),
      );
      await sendInUi(page, 'A page with a menu');
      await untilTurnEnds(page);
      await openTab(page, 'Preview');
      await visible(previewFrame(page).getByRole('heading', { name: 'Menu page' }));
      // The generated page's own error, in its frame: expected here, and what the panel must list.
      problems.allow(/Cannot set properties of null/);
      // The frame reloads after each step: loaded between the two writes, the page asked for
      // menu.js before it existed (a 404, which the frame's console reports).
      problems.allow(/^console error in [^ ]*\/sandbox\/(site|preview)\b.*menu\.js/);

      const region = page.getByRole('region', { name: 'Page errors' });
      await visible(region.getByText(/Cannot set properties of null/));
      expect(await region.innerText()).toContain('menu.js');

      rig.fake!.scriptFromNow(() => streamed(say('Fixed the id.')));
      await region.getByRole('button', { name: 'Ask the agent to fix' }).click();
      await untilTurnEnds(page, 'completed', 2);
      const sent = conversation(page)
        .getByRole('article')
        .filter({
          hasText: /Cannot set properties of null/,
        });
      await visible(sent);
      expect(await sent.innerText()).toContain('menu.js');
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'reports a file the agent changed while it was open in the editor, then overwrites on request',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await registerInUi(page, newUserName('conflict'));
      const sessionId = await createSessionInUi(page, 'Conflict');
      rig.fake!.scriptFromNow((k) =>
        k === 0
          ? streamed(
              callTools([
                {
                  name: 'write_file',
                  args: { filename: 'index.html', content: '<h1>From the agent</h1>\n' },
                },
              ]),
            )
          : streamed(say('Done.')),
      );
      await sendInUi(page, 'Start a page');
      await untilTurnEnds(page);

      await openTab(page, 'Files');
      await page
        .getByRole('tree', { name: 'Files' })
        .getByRole('treeitem', { name: 'index.html' })
        .click();
      const editor = page.getByRole('region', { name: 'Editor: index.html' });
      await visible(editor.getByText('From the agent'));

      // Meanwhile the file changes under the editor (as a running agent would change it).
      const token = await storedToken(page);
      const changed = await rig.app.http.post(
        `/api/sessions/${sessionId}/sandbox/files/index.html`,
        { token, body: { content: '<h1>Changed meanwhile</h1>\n' } },
      );
      expect(changed.status).toBe(200);

      await editor.getByRole('textbox').click();
      await page.keyboard.press('ControlOrMeta+a');
      await page.keyboard.insertText('<h1>Mine</h1>\n');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'changed since you opened it' });
      await visible(alert);
      problems.allow(/412 \(Precondition Failed\)/);
      // Not overwritten by the refused save.
      const current = async () =>
        (await rig.app.http.get(`/api/sessions/${sessionId}/sandbox/files/index.html`, { token }))
          .body.content as string;
      expect(await current()).toBe('<h1>Changed meanwhile</h1>\n');
      expect(await alert.getByRole('button', { name: 'Reload' }).count()).toBe(1);

      await alert.getByRole('button', { name: 'Overwrite' }).click();
      await passes(async () => expect(await current()).toBe('<h1>Mine</h1>\n'));
      await gone(alert);
      expect(await composer(page).count()).toBe(1);
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );
});
