import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Locator, Page, Request } from 'playwright-core';
import { callTools, say, streamed } from '../support/fake-openai.js';
import {
  openConsole,
  openContext,
  screenshot,
  seriousA11yViolations,
  startConsoleRig,
  type ConsoleRig,
} from '../support/console-browser.js';
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
  sidebar,
  storedToken,
  untilTurnEnds,
  visible,
} from '../support/console-ui.js';

const TIMEOUT = 60_000;
const PAGE = (heading: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${heading}</title></head>` +
  `<body><h1>${heading}</h1></body></html>\n`;

/** The scripted model writes one page, then says so. */
function writesPage(rig: ConsoleRig, heading: string): void {
  rig.fake!.scriptFromNow((k) =>
    k === 0
      ? streamed(
          callTools([
            { name: 'write_file', args: { filename: 'index.html', content: PAGE(heading) } },
          ]),
        )
      : streamed(say(`Wrote the ${heading} page.`)),
  );
}

/** The page's own width never exceeds the viewport (no horizontal scrolling); names what sticks out. */
async function expectNoHorizontalScroll(page: Page, width: number, where: string): Promise<void> {
  const found = await page.evaluate<{ scroll: number; wide: string[] }>(`({
    scroll: document.documentElement.scrollWidth,
    wide: [...document.querySelectorAll('body *')]
      .filter((e) => e.getBoundingClientRect().right > ${width} + 0.5)
      .slice(0, 10)
      .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).trim().split(/\\s+/).join('.') : '') +
        ' right=' + Math.round(e.getBoundingClientRect().right)),
  })`);
  const report = `${where}: scrollWidth ${found.scroll} (sticking out: ${found.wide.join(', ') || 'none'})`;
  expect(found.scroll <= width ? 'fits' : report).toBe('fits');
}

describe('web console: sign-in lifetime, tabs, small screens, safety and keyboard', () => {
  let rig: ConsoleRig;

  beforeAll(async () => {
    rig = await startConsoleRig();
  }, TIMEOUT);
  afterAll(async () => {
    await rig?.close();
  }, TIMEOUT);

  it(
    'shares one sign-in between two tabs: a session made in one shows in the other, signing out in one signs out both',
    async () => {
      const { context, problems, newPage } = await openContext(rig);
      const one = await newPage();
      await one.goto(rig.app.baseUrl + '/');
      await registerInUi(one, newUserName('tabs'));
      const two = await newPage();
      await two.goto(rig.app.baseUrl + '/');
      await visible(two.getByRole('button', { name: 'Sign out' }));

      await createSessionInUi(one, 'Made in tab one');
      await two.reload();
      await visible(sidebar(two).getByRole('link', { name: 'Made in tab one' }));

      await one.getByRole('button', { name: 'Sign out' }).click();
      await visible(one.getByRole('heading', { name: 'Sign in' }));
      // The other tab follows without a reload.
      await visible(two.getByRole('heading', { name: 'Sign in' }));
      await gone(two.getByRole('button', { name: 'Sign out' }));
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'works at 360 px: no horizontal scroll, the sessions drawer opens from "Sessions", chat and preview reachable',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/', {
        viewport: { width: 360, height: 740 },
        isMobile: true,
        hasTouch: true,
      });
      await visible(page.getByRole('heading', { name: 'Sign in' }));
      await expectNoHorizontalScroll(page, 360, 'sign-in');
      await registerInUi(page, newUserName('narrow'));
      await expectNoHorizontalScroll(page, 360, 'signed in');

      const drawer = page.getByRole('button', { name: 'Sessions' });
      await visible(drawer);
      await drawer.click();
      expect(await drawer.getAttribute('aria-expanded')).toBe('true');
      await visible(sidebar(page).getByRole('button', { name: 'New session' }));
      await expectNoHorizontalScroll(page, 360, 'drawer open');
      await screenshot(page, 'narrow-360-drawer');
      const found = (await seriousA11yViolations(page)).map((v) => `[drawer open] ${v}`);
      await createSessionInUi(page, 'Phone site');
      // Choosing a session closes the drawer and shows the chat.
      await passes(async () => expect(await drawer.getAttribute('aria-expanded')).toBe('false'));

      writesPage(rig, 'Small screens welcome');
      await composer(page).scrollIntoViewIfNeeded();
      await sendInUi(page, 'A page for phones');
      await untilTurnEnds(page);
      await expectNoHorizontalScroll(page, 360, 'after a turn');

      await openTab(page, 'Preview');
      const frame = page.locator('iframe[title="Site preview"]');
      await visible(previewFrame(page).getByRole('heading', { name: 'Small screens welcome' }));
      // (the frame is replaced when the preview refreshes after the turn: measure the current one)
      await passes(async () => {
        await frame.scrollIntoViewIfNeeded({ timeout: 2_000 });
        const box = (await frame.boundingBox({ timeout: 2_000 }))!;
        expect(box.width).toBeGreaterThan(200);
        expect(box.x + box.width).toBeLessThanOrEqual(360);
      });
      await visible(previewFrame(page).getByRole('heading', { name: 'Small screens welcome' }));
      await expectNoHorizontalScroll(page, 360, 'preview');
      await screenshot(page, 'narrow-360');
      found.push(...(await seriousA11yViolations(page)).map((v) => `[chat + preview] ${v}`));
      expect(found).toEqual([]);
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'never puts the access token in a URL: the preview frame uses a preview token',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      const requests: Request[] = [];
      context.on('request', (r) => requests.push(r));
      await registerInUi(page, newUserName('token'));
      await createSessionInUi(page, 'Token check');
      writesPage(rig, 'No tokens here');
      await sendInUi(page, 'A page');
      await untilTurnEnds(page);
      await openTab(page, 'Preview');
      await visible(previewFrame(page).getByRole('heading', { name: 'No tokens here' }));

      const token = await storedToken(page);
      const src = await page.locator('iframe[title="Site preview"]').getAttribute('src');
      expect(src).not.toContain(token);
      // What it carries instead is a preview token: for this session's preview only.
      const sessionId = /\/sessions\/([0-9a-f]{32})/.exec(page.url())![1];
      expect(src).toContain(`/api/sessions/${sessionId}/sandbox/`);
      const carried = /[?&/]token[=/]([\w-]+\.[\w-]+\.[\w-]+)/.exec(src!)?.[1];
      if (carried) {
        const claims = JSON.parse(Buffer.from(carried.split('.')[1], 'base64url').toString()) as {
          typ?: string;
          sid?: string;
        };
        expect(claims).toMatchObject({ typ: 'preview', sid: sessionId });
      }
      // "Open in new tab" opens the same preview, by a preview token too.
      const [popup] = await Promise.all([
        context.waitForEvent('page', { timeout: 10_000 }),
        page.getByRole('button', { name: 'Open in new tab' }).click(),
      ]);
      await visible(popup.getByRole('heading', { name: 'No tokens here' }));
      expect(popup.url()).not.toContain(token);
      expect(popup.url()).toContain(`/api/sessions/${sessionId}/sandbox/`);
      // The preview tab runs in an opaque origin: Chromium's automatic /favicon.ico request from it
      // is refused by the service's same-origin resource policy (browser noise, not the console).
      problems.allow(/\/favicon\.ico: Failed to load resource: net::ERR_BLOCKED_BY_RESPONSE/);
      await popup.close();
      const leaking = requests.map((r) => r.url()).filter((u) => u.includes(token));
      expect(leaking).toEqual([]);
      // Every API call carried it in the header instead.
      const api = requests.filter((r) => new URL(r.url()).pathname.startsWith('/api/sessions'));
      expect(api.length).toBeGreaterThan(0);
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'renders a hostile assistant message as inert text: no script runs, no dialog opens',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await registerInUi(page, newUserName('xss'));
      await createSessionInUi(page, 'Hostile text');
      const hostile =
        'Here you go <img src="data:image/png;base64,AAAA" onerror="window.__pwned=1;alert(1)">' +
        ' and <script>window.__pwned=2;alert(2)</script>' +
        ' [click me](javascript:window.__pwned=3) <svg><g onload="window.__pwned=4"></g></svg>' +
        ' <iframe srcdoc="<script>parent.__pwned=5</script>"></iframe> **done**';
      rig.fake!.scriptFromNow(() => streamed(say(hostile, 6)));
      await sendInUi(page, 'Say something odd');
      await untilTurnEnds(page);
      const log = conversation(page);
      await visible(log.getByText('Here you go'));
      await visible(log.locator('strong', { hasText: 'done' }));

      expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
      expect(dialogs).toEqual([]);
      expect(await log.locator('script, iframe, [onerror], [onload]').count()).toBe(0);
      expect(await log.locator('a[href^="javascript:"]').count()).toBe(0);
      // Nothing reached the console's CSP either (an unexpected problem fails).
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );

  it(
    'can be used by keyboard only: create a session, reach the composer and send',
    async () => {
      const { context, page, problems } = await openConsole(rig, '/');
      await registerInUi(page, newUserName('keys'));
      const hasFocus = (target: Locator) =>
        target.evaluate((e) => e.ownerDocument.activeElement === e);
      /** Presses Tab until `target` has the focus (at most `max` times). */
      async function tabTo(target: Locator, what: string, max = 40): Promise<void> {
        for (let i = 0; i < max; i += 1) {
          await page.keyboard.press('Tab');
          if (await hasFocus(target)) {
            return;
          }
        }
        throw new Error(`${what} was not reached with ${max} Tab presses`);
      }

      const newSession = sidebar(page).getByRole('button', { name: 'New session' });
      await tabTo(newSession, 'New session');
      const dialog = page.getByRole('dialog');
      // Escape closes a dialog and gives the focus back to what opened it.
      await page.keyboard.press('Enter');
      await visible(dialog);
      await page.keyboard.press('Escape');
      await gone(dialog);
      await passes(async () => expect(await hasFocus(newSession)).toBe(true));
      await page.keyboard.press('Enter');
      await visible(dialog.getByRole('textbox', { name: 'Title' }));
      // The dialog moved the focus in: typing goes to its first field.
      expect(await hasFocus(dialog.getByRole('textbox', { name: 'Title' }))).toBe(true);
      await page.keyboard.type('Typed session');
      await page.keyboard.press('Enter');
      await gone(dialog);
      await visible(sidebar(page).getByRole('link', { name: 'Typed session' }));

      writesPage(rig, 'Keyboard made');
      const box = composer(page);
      await visible(box);
      if (!(await hasFocus(box))) {
        await tabTo(box, 'The composer');
      }
      await page.keyboard.type('First line');
      await page.keyboard.press('Shift+Enter');
      await page.keyboard.type('second line');
      expect(await box.inputValue()).toBe('First line\nsecond line');
      await page.keyboard.press('Enter');
      await untilTurnEnds(page);
      await visible(conversation(page).getByText('Wrote the Keyboard made page.'));
      expect(await box.inputValue()).toBe('');
      problems.expectNone();
      await context.close();
    },
    TIMEOUT,
  );
});
