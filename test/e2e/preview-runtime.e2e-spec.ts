import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Frame } from 'playwright-core';
import { chromiumPath, launchChromium } from '../support/browser.js';
import yazl from 'yazl';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BROWSER_TIMEOUT = 60_000;
/** A real TrueType font that ships with playwright-core (a test dependency already). */
function aTrueTypeFont(): Buffer {
  const root = join(process.cwd(), 'node_modules', 'playwright-core', 'lib');
  const found = readdirSync(root, { recursive: true, encoding: 'utf8' }).find((f) =>
    f.endsWith('.ttf'),
  );
  if (!found) {
    throw new Error(`no .ttf under ${root} to serve as the web font`);
  }
  return readFileSync(join(root, found));
}

/** What a model typically writes: storage, a module graph, a JSON fetch, a web font, and a bug. */
const PAGE_FILES: Record<string, string | Buffer> = {
  'index.html': `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Runtime probe</title>
  <link rel="stylesheet" href="style.css">
</head>
<body>
  <p id="storage"></p>
  <p id="module"></p>
  <p id="fetch"></p>
  <p id="font"></p>
  <script src="js/app.js"></script>
  <script type="module" src="js/main.js"></script>
  <script type="module" src="js/broken.js"></script>
  <script src="js/classic-bug.js"></script>
</body>
</html>
`,
  'style.css': `@font-face { font-family: "Probe Face"; src: url("fonts/probe.ttf") format("truetype"); }
body { font-family: "Probe Face", sans-serif; }
`,
  'js/app.js': `(function () {
  function out(id, value) { document.getElementById(id).textContent = value; }
  try {
    localStorage.setItem('theme', 'dark');
    sessionStorage.setItem('visits', '1');
    out('storage', 'local:' + localStorage.getItem('theme') + ' session:' + sessionStorage.getItem('visits'));
  } catch (e) { out('storage', 'failed:' + e.name); }
  fetch('data.json').then(function (r) { return r.json(); }).then(
    function (d) { out('fetch', 'json:' + d.greeting); },
    function (e) { out('fetch', 'failed:' + e.name); });
  document.fonts.load('16px "Probe Face"').then(
    function () {
      var face = Array.from(document.fonts).find(function (f) { return f.family.indexOf('Probe Face') !== -1; });
      out('font', 'font:' + (face ? face.status : 'missing'));
    },
    function (e) { out('font', 'failed:' + e.name); });
  console.error('logged probe', 13);
})();
`,
  'js/main.js': `import { answer } from './lib.js';
document.getElementById('module').textContent = 'module:' + answer;
// Module scripts load in CORS mode, so the browser reports their errors in full (classic ones are muted).
Promise.reject(new Error('rejected probe 7'));
`,
  'js/lib.js': 'export const answer = 42;\n',
  'js/broken.js': `const settings = null;
throw new Error('probe failure 42');
`,
  // A classic script: its error is reported in full only because the service marks it crossorigin.
  'js/classic-bug.js': `window.addEventListener('load', function () {
  throw new Error('classic failure 9');
});
`,
  'data.json': '{"greeting": "hello from json"}\n',
  'fonts/probe.ttf': Buffer.alloc(0),
};

function zipOf(files: Record<string, string | Buffer>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) {
    zip.addBuffer(Buffer.isBuffer(content) ? content : Buffer.from(content), name);
  }
  zip.end();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    zip.outputStream.on('data', (c: Buffer) => chunks.push(c));
    zip.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    zip.outputStream.on('error', reject);
  });
}

interface ReportedError {
  kind: string;
  message: string;
  source: string | null;
  line: number | null;
  column: number | null;
  version: number;
  at: string;
}

describe('the preview runtime in a real browser (opaque origin)', () => {
  let t: TestApp;
  let user: TestUser;
  let sessionId: string;
  let version: number;
  let browser: Browser | undefined;

  beforeAll(async () => {
    const executablePath = chromiumPath();
    t = await startTestApp();
    user = await registerUser(t.http, 'runtime');
    sessionId = await createSession(t.http, user.token, 'Runtime preview');
    const files = { ...PAGE_FILES, 'fonts/probe.ttf': aTrueTypeFont() };
    const res = await fetch(`${t.baseUrl}/api/sessions/${sessionId}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/zip' },
      body: await zipOf(files),
    });
    expect(res.status).toBe(200);
    version = ((await res.json()) as { version: number }).version;
    browser = await launchChromium(executablePath);
  }, BROWSER_TIMEOUT);

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  }, BROWSER_TIMEOUT);

  async function errors(): Promise<ReportedError[]> {
    const res = await t.http.get(`/api/sessions/${sessionId}/sandbox/preview-errors`, {
      token: user.token,
    });
    expect(res.status).toBe(200);
    return (res.body as { errors: ReportedError[] }).errors;
  }

  async function waitForText(frame: Frame, ids: string[]): Promise<Record<string, string>> {
    const check = ids
      .map((id) => `document.getElementById('${id}').textContent !== ''`)
      .join(' && ');
    await frame.waitForFunction(check, undefined, { timeout: 20_000 });
    return frame.evaluate<Record<string, string>>(
      `(${JSON.stringify(ids)}).reduce((o, id) => (o[id] = document.getElementById(id).textContent, o), {})`,
    );
  }

  it(
    'gives the page storage, module imports, its own fetch and a web font, and reports its errors',
    async () => {
      const context = await browser!.newContext();
      try {
        const page = await context.newPage();
        const response = await page.goto(
          `${t.baseUrl}/api/sessions/${sessionId}/sandbox/preview?token=${user.token}`,
        );
        expect(response?.status()).toBe(200);
        expect(String(await page.evaluate('window.origin'))).toBe('null');

        const shown = await waitForText(page.mainFrame(), ['storage', 'module', 'fetch', 'font']);

        expect(shown).toEqual({
          storage: 'local:dark session:1',
          module: 'module:42',
          fetch: 'json:hello from json',
          font: 'font:loaded',
        });

        // The reports are fire-and-forget POSTs: poll until all four have arrived.
        let seen: ReportedError[] = [];
        for (let i = 0; i < 100 && seen.length < 4; i += 1) {
          seen = await errors();
          await new Promise((r) => setTimeout(r, 100));
        }
        const find = (text: string) => seen.find((e) => e.message.includes(text));
        expect(find('probe failure 42')).toEqual({
          kind: 'error',
          message: expect.stringContaining('probe failure 42'),
          // Named as in the sandbox: the URL (and the preview token in it) is not kept.
          source: 'js/broken.js',
          line: 2,
          column: expect.any(Number),
          version,
          at: expect.any(String),
        });
        expect(find('classic failure 9')).toMatchObject({
          kind: 'error',
          source: 'js/classic-bug.js',
          line: 2,
          version,
        });
        expect(find('rejected probe 7')).toMatchObject({ kind: 'unhandledrejection', version });
        expect(find('logged probe')).toMatchObject({
          kind: 'console.error',
          message: 'logged probe 13',
          version,
        });
        expect(seen).toHaveLength(4);
        expect(JSON.stringify(seen)).not.toMatch(/\/sandbox\/(site|preview)/);
      } finally {
        await context.close();
      }
    },
    BROWSER_TIMEOUT,
  );

  it('keeps only the last 50 reports and cuts each message to 2 KB', async () => {
    const token = (
      await t.http.post(`/api/sessions/${sessionId}/sandbox/preview-token`, { token: user.token })
    ).body.token as string;
    const url = `${t.baseUrl}/api/sessions/${sessionId}/sandbox/site/${token}/__errors`;
    for (let i = 0; i < 55; i += 1) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: JSON.stringify({
          kind: 'console.error',
          message: `n${i} ${'x'.repeat(3000)}`,
          version,
        }),
      });
      expect(res.status).toBe(204);
    }
    const kept = await errors();
    expect(kept).toHaveLength(50);
    expect(kept[0].message.startsWith('n54 ')).toBe(true);
    expect(kept[49].message.startsWith('n5 ')).toBe(true);
    expect(kept[0].message).toHaveLength(2048);
  });
});
