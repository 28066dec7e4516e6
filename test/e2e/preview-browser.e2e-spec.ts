import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import type { Browser, BrowserContext, Frame, Request } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BROWSER_TIMEOUT = 60_000;

const SECRET_COOKIE = 'secret-cookie-value';
const SECRET_STORAGE = 'secret-storage-value';

const PAGE_FILES: Record<string, string> = {
  'index.html': `<!DOCTYPE html>
<html>
<head>
  <meta charset="utf-8">
  <title>Preview probe</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <h1>Preview probe</h1>
  <img id="logo" src="img/logo.svg" alt="logo">
  <p id="origin"></p>
  <p id="storage"></p>
  <p id="cookie"></p>
  <p id="fetch"></p>
  <p id="fetch-preview-token"></p>
  <script src="js/app.js"></script>
</body>
</html>
`,
  'style.css': 'body { background-color: rgb(1, 2, 3); color: white; }\n',
  // What a prompt-steered model could write: try to reach the user's credentials and the API.
  'js/app.js': `(function () {
  function out(id, value) { document.getElementById(id).textContent = value; }
  document.body.dataset.ran = 'yes';
  out('origin', String(window.origin));
  try { out('storage', 'readable:' + window.localStorage.getItem('probe')); }
  catch (e) { out('storage', 'blocked:' + e.name); }
  try { out('cookie', 'readable:' + document.cookie); }
  catch (e) { out('cookie', 'blocked:' + e.name); }
  fetch('/api/sessions').then(
    function (r) { out('fetch', 'status:' + r.status); },
    function (e) { out('fetch', 'blocked:' + e.name); });
  var m = /\\/site\\/([^/]+)\\//.exec(document.baseURI);
  fetch('/api/sessions', { headers: { Authorization: 'Bearer ' + (m ? decodeURIComponent(m[1]) : '') } }).then(
    function (r) { out('fetch-preview-token', 'status:' + r.status); },
    function (e) { out('fetch-preview-token', 'blocked:' + e.name); });
})();
`,
  'img/logo.svg':
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24"><rect width="24" height="24" fill="#0a0"/></svg>',
};

interface ProbeState {
  ran: string | undefined;
  background: string;
  logoWidth: number;
  windowOrigin: string;
  shownOrigin: string;
  storage: string;
  cookie: string;
  fetch: string;
  fetchPreviewToken: string;
  href: string;
  html: string;
}

/** Waits for the page's script to finish its probes, then reads what the page saw and how it rendered. */
async function probe(frame: Frame): Promise<ProbeState> {
  await frame.waitForFunction(
    `document.readyState === 'complete' &&
     document.getElementById('fetch') !== null &&
     document.getElementById('fetch').textContent !== '' &&
     document.getElementById('fetch-preview-token').textContent !== ''`,
    undefined,
    { timeout: 20_000 },
  );
  return frame.evaluate<ProbeState>(`(() => {
    const text = (id) => document.getElementById(id).textContent;
    return {
      ran: document.body.dataset.ran,
      background: getComputedStyle(document.body).backgroundColor,
      logoWidth: document.getElementById('logo').naturalWidth,
      windowOrigin: String(window.origin),
      shownOrigin: text('origin'),
      storage: text('storage'),
      cookie: text('cookie'),
      fetch: text('fetch'),
      fetchPreviewToken: text('fetch-preview-token'),
      href: location.href,
      html: document.documentElement.outerHTML,
    };
  })()`);
}

describe('sandbox preview in a real browser', () => {
  let t: TestApp;
  let user: TestUser;
  let sessionId: string;
  let browser: Browser | undefined;
  let parentServer: Server | undefined;
  let parentUrl: string;
  let previewUrl: string;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    t = await startTestApp();
    user = await registerUser(t.http, 'browser');
    sessionId = await createSession(t.http, user.token, 'Browser preview');
    for (const [name, content] of Object.entries(PAGE_FILES)) {
      await writeFile(t.http, user.token, sessionId, name, content);
    }
    previewUrl = `${t.baseUrl}/api/sessions/${sessionId}/sandbox/preview?token=${user.token}`;

    // The embedding page lives on another origin, as the web UI would.
    parentServer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        `<!DOCTYPE html><html><head><title>Parent</title></head><body>` +
          `<iframe id="preview" src="${previewUrl}" width="800" height="600"></iframe></body></html>`,
      );
    });
    await new Promise<void>((resolve) => parentServer!.listen(0, '127.0.0.1', resolve));
    parentUrl = `http://127.0.0.1:${(parentServer.address() as AddressInfo).port}/`;

    browser = await launchChromium(executablePath);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) =>
      parentServer ? parentServer.close(resolve) : resolve(undefined),
    );
    await t?.close();
  }, BROWSER_TIMEOUT);

  /**
   * A browser context that holds a cookie and a localStorage entry for the API's origin, so a page that
   * shared that origin would find them, and that records every request the browser sends.
   */
  async function contextWithSecrets(): Promise<{ context: BrowserContext; requests: Request[] }> {
    const context = await browser!.newContext();
    await context.addCookies([{ name: 'probe', value: SECRET_COOKIE, url: t.baseUrl }]);
    const seed = await context.newPage();
    await seed.goto(`${t.baseUrl}/api/health`);
    await seed.evaluate(`localStorage.setItem('probe', '${SECRET_STORAGE}')`);
    expect(await seed.evaluate(`localStorage.getItem('probe')`)).toBe(SECRET_STORAGE);
    await seed.close();
    const requests: Request[] = [];
    context.on('request', (r) => requests.push(r));
    return { context, requests };
  }

  function expectSafeAndWorking(state: ProbeState): void {
    // The page works: stylesheet, script and image all loaded through the relative links.
    expect(state.ran).toBe('yes');
    expect(state.background).toBe('rgb(1, 2, 3)');
    expect(state.logoWidth).toBeGreaterThan(0);
    // It runs in an opaque origin, not the API's.
    expect(state.windowOrigin).toBe('null');
    expect(state.shownOrigin).toBe('null');
    // It cannot read the API origin's storage or cookies: its storage is the injected in-memory one, empty.
    expect(state.storage).toBe('readable:null');
    expect(state.storage).not.toContain(SECRET_STORAGE);
    expect(state.cookie).toMatch(/^(blocked:|readable:$)/);
    expect(state.cookie).not.toContain(SECRET_COOKIE);
    // It cannot call the API as the user, not even with the preview token it can see.
    expect(state.fetch).toMatch(/^(blocked:|status:401$)/);
    expect(state.fetchPreviewToken).toMatch(/^(blocked:|status:401$)/);
    // Its URL and DOM hold a preview token for this session, never the access token.
    expect(state.href).not.toContain(user.token);
    expect(state.html).not.toContain(user.token);
    const url = new URL(state.href);
    expect(url.pathname).toBe(`/api/sessions/${sessionId}/sandbox/preview`);
    expect(jwt.decode(url.searchParams.get('token')!)).toMatchObject({
      typ: 'preview',
      sid: sessionId,
    });
  }

  /** Only the very first navigation may carry the access token; nothing after it, in URL or header. */
  async function expectAccessTokenOnlyInFirstRequest(requests: Request[]): Promise<void> {
    const carrying: string[] = [];
    for (const r of requests) {
      const headers = Object.values(await r.allHeaders()).join('\n');
      if (r.url().includes(user.token) || headers.includes(user.token)) {
        carrying.push(r.url());
      }
    }
    expect(carrying).toEqual([previewUrl]);
    const assets = requests.map((r) => new URL(r.url()).pathname);
    expect(assets).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`/sandbox/site/[^/]+/style\\.css$`)),
        expect.stringMatching(new RegExp(`/sandbox/site/[^/]+/js/app\\.js$`)),
        expect.stringMatching(new RegExp(`/sandbox/site/[^/]+/img/logo\\.svg$`)),
      ]),
    );
  }

  it(
    'renders the preview inside an iframe of another page: assets load, scripts run, credentials stay out of reach',
    async () => {
      const { context, requests } = await contextWithSecrets();
      try {
        const page = await context.newPage();
        await page.goto(parentUrl);
        const frame = await (await page.waitForSelector('iframe#preview')).contentFrame();
        expect(frame).not.toBeNull();

        const state = await probe(frame!);

        expectSafeAndWorking(state);
        expect(frame!.url()).toBe(state.href);
        expect(frame!.url()).not.toContain(user.token);
        await expectAccessTokenOnlyInFirstRequest(requests);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );

  it(
    'renders the preview opened directly in a tab with the same guarantees',
    async () => {
      const { context, requests } = await contextWithSecrets();
      try {
        const page = await context.newPage();
        const response = await page.goto(previewUrl);
        expect(response?.status()).toBe(200);
        const csp = (await response!.allHeaders())['content-security-policy'] ?? '';
        expect(csp).toMatch(/(^|;)\s*sandbox\b[^;]*\ballow-scripts\b/);
        expect(csp).not.toContain('allow-same-origin');

        const state = await probe(page.mainFrame());

        expectSafeAndWorking(state);
        expect(page.url()).toBe(state.href);
        expect(page.url()).not.toContain(user.token);
        await expectAccessTokenOnlyInFirstRequest(requests);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );
});
