import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestProcess, TEST_JWT_SECRET, type TestProcess } from '../support/test-app.js';

const FILES: Record<string, string> = {
  'index.html':
    '<!DOCTYPE html>\n<html><head><title>Preview ✓</title><link rel="stylesheet" href="style.css"></head>' +
    '<body><h1>Hello preview — héllo 世界</h1><script src="js/app.js"></script></body></html>',
  'style.css': 'body { background-color: rgb(1, 2, 3); }\n/* ünïcödé */\n',
  'js/app.js': 'document.body.dataset.ran = "yes"; // ✓\n',
  'img/logo.svg':
    '<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16"><rect width="16" height="16" fill="red"/></svg>',
  'about.html': '<p>About us</p>',
  'data/info.json': '{"name": "Zoë", "n": 1}',
};

const STATIC_TYPES: [string, RegExp][] = [
  ['style.css', /^text\/css(;|$)/],
  ['js/app.js', /^(application|text)\/javascript(;|$)/],
  ['img/logo.svg', /^image\/svg\+xml(;|$)/],
  ['about.html', /^text\/html(;|$)/],
  ['data/info.json', /^application\/json(;|$)/],
];

/** The injected storage shim and error reporter: one inline script (src/sandbox/preview-errors). */
const INJECTED = /<script>\(function\(\)\{[\s\S]*?\}\)\(\);<\/script>/;

interface PreviewClaims {
  sub: string;
  typ: string;
  sid: string;
  iat: number;
  exp: number;
}

const claimsOf = (token: string) => jwt.decode(token) as PreviewClaims;

/** The security headers every preview, static and site response must carry. */
function expectSandboxHeaders(res: HttpResponse | Response): void {
  const csp = res.headers.get('content-security-policy') ?? '';
  const sandbox = csp
    .split(';')
    .map((d) => d.trim().split(/\s+/))
    .find((tokens) => tokens[0].toLowerCase() === 'sandbox');
  expect(sandbox).toBeDefined();
  expect(sandbox).toContain('allow-scripts');
  expect(csp).not.toContain('allow-same-origin');
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(res.headers.get('referrer-policy')).toBe('no-referrer');
}

describe('sandbox preview', () => {
  let t: TestProcess;
  let user: TestUser;
  let sessionId: string;

  const sandbox = (id: string) => `/api/sessions/${id}/sandbox`;
  /** Fetches without redirects and without the JSON parsing of the test client, for exact bytes. */
  const raw = (path: string, headers: Record<string, string> = {}) =>
    fetch(t.baseUrl + path, { headers, redirect: 'manual' });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  async function previewTokenFor(id: string, token = user.token): Promise<string> {
    const res = await t.http.post(`${sandbox(id)}/preview-token`, { token });
    expect(res.status).toBe(200);
    return res.body.token as string;
  }

  /** The preview token the served page's <base href> carries, checked to be a preview token for `id`. */
  function baseToken(html: string, id: string): string {
    const match = new RegExp(`<base href="/api/sessions/${id}/sandbox/site/([^/"]+)/">`).exec(html);
    expect(match).not.toBeNull();
    return decodeURIComponent(match![1]);
  }

  beforeAll(async () => {
    t = await startTestProcess();
    user = await registerUser(t.http, 'preview');
    sessionId = await createSession(t.http, user.token, 'Preview site');
    for (const [name, content] of Object.entries(FILES)) {
      await writeFile(t.http, user.token, sessionId, name, content);
    }
  });
  afterAll(() => t.close());

  describe('GET …/sandbox/preview', () => {
    it('serves index.html as text/html with a <base> to a preview-token asset path first in <head>', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/preview`, { token: user.token });

      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html(;|$)/);
      expect(res.text).toContain('<h1>Hello preview — héllo 世界</h1>');
      expect(res.text).toMatch(
        new RegExp(
          `^<!DOCTYPE html>\\n<html><head><base href="/api/sessions/${sessionId}/sandbox/site/[^"]+/">${INJECTED.source}<title>`,
        ),
      );
      const token = baseToken(res.text, sessionId);
      expect(token).not.toBe(user.token);
      expect(claimsOf(token)).toMatchObject({
        typ: 'preview',
        sid: sessionId,
        sub: String(user.id),
      });
      expect(res.text).not.toContain(user.token);
    });

    it('sends a CSP sandbox that allows scripts but never same-origin, with nosniff and no-referrer', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/preview`, { token: user.token });
      expect(res.status).toBe(200);
      expectSandboxHeaders(res);
    });

    it('serves the page to its own preview token given as ?token=, without a redirect', async () => {
      const token = await previewTokenFor(sessionId);
      const res = await t.http.get(`${sandbox(sessionId)}/preview?token=${token}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain('<h1>Hello preview');
      expect(baseToken(res.text, sessionId)).toBe(token);
      expectSandboxHeaders(res);
    });

    it('answers 404 {"detail"} when the sandbox has no index.html', async () => {
      const empty = await createSession(t.http, user.token, 'Empty');
      await writeFile(t.http, user.token, empty, 'style.css', 'p {}');
      const byHeader = await t.http.get(`${sandbox(empty)}/preview`, { token: user.token });
      const byPreviewToken = await t.http.get(
        `${sandbox(empty)}/preview?token=${await previewTokenFor(empty)}`,
      );
      for (const res of [byHeader, byPreviewToken]) {
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });
  });

  describe('GET …/sandbox/static/{filename}', () => {
    it.each(STATIC_TYPES)(
      'serves %s as its raw bytes with the Content-Type of its extension',
      async (name, type) => {
        const res = await raw(`${sandbox(sessionId)}/static/${name}`, bearer(user.token));

        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(type);
        expect(Buffer.from(await res.arrayBuffer())).toEqual(Buffer.from(FILES[name], 'utf8'));
        expectSandboxHeaders(res);
      },
    );

    it('serves index.html as it is stored, without a <base> injected', async () => {
      const res = await raw(`${sandbox(sessionId)}/static/index.html`, bearer(user.token));
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(FILES['index.html']);
    });

    it('answers 404 {"detail"} for a missing file and 400 {"detail"} for a traversal', async () => {
      const missing = await t.http.get(`${sandbox(sessionId)}/static/nope.css`, {
        token: user.token,
      });
      expect(missing.status).toBe(404);
      expect(missing.body).toEqual({ detail: expect.any(String) });
      const climb = await t.http.get(`${sandbox(sessionId)}/static/..%2f..%2fetc%2fpasswd`, {
        token: user.token,
      });
      expect(climb.status).toBe(400);
      expect(climb.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('GET …/sandbox/site/{previewToken}/{filename}', () => {
    it("serves the page's relative links under the preview token from its <base>", async () => {
      const page = await t.http.get(`${sandbox(sessionId)}/preview`, { token: user.token });
      const token = baseToken(page.text, sessionId);

      for (const [name, type] of STATIC_TYPES) {
        const res = await raw(`${sandbox(sessionId)}/site/${encodeURIComponent(token)}/${name}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toMatch(type);
        const body = Buffer.from(await res.arrayBuffer());
        if (name.endsWith('.html')) {
          // Pages get the storage shim and error reporter first; the rest is the file, byte for byte.
          const text = body.toString('utf8');
          expect(text).toMatch(new RegExp(`^${INJECTED.source}`));
          expect(text.replace(new RegExp(`^${INJECTED.source}`), '')).toBe(FILES[name]);
        } else {
          expect(body).toEqual(Buffer.from(FILES[name], 'utf8'));
        }
        expectSandboxHeaders(res);
        // The page's own fetch(), module scripts and fonts come from its opaque origin.
        expect(res.headers.get('access-control-allow-origin')).toBe('*');
      }
    });

    it('sends no CORS header on the entry page or the static route', async () => {
      const entry = await t.http.get(`${sandbox(sessionId)}/preview`, { token: user.token });
      const file = await raw(`${sandbox(sessionId)}/static/style.css`, bearer(user.token));
      expect([entry.status, file.status]).toEqual([200, 200]);
      expect(entry.headers.get('access-control-allow-origin')).toBeNull();
      expect(file.headers.get('access-control-allow-origin')).toBeNull();
    });

    it('refuses an access token in the path with 401 {"detail"}', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/site/${user.token}/style.css`);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('refuses a garbage token and a preview token of another session in the path with 401', async () => {
      const other = await createSession(t.http, user.token, 'Other');
      const foreign = await previewTokenFor(other);
      for (const token of ['garbage', foreign]) {
        const res = await t.http.get(`${sandbox(sessionId)}/site/${token}/style.css`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it('judges the token in the path even when a valid Authorization header comes along', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/site/garbage/style.css`, {
        token: user.token,
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('an access token in ?token=', () => {
    it('on preview is swapped by a 302 for a preview token, and following it serves the page', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/preview?token=${user.token}`);

      expect(res.status).toBe(302);
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      const location = res.headers.get('location')!;
      expect(location).not.toContain(user.token);
      const url = new URL(location, t.baseUrl);
      expect(url.origin).toBe(t.baseUrl);
      expect(url.pathname).toBe(`${sandbox(sessionId)}/preview`);
      const previewToken = url.searchParams.get('token')!;
      expect(claimsOf(previewToken)).toMatchObject({
        typ: 'preview',
        sid: sessionId,
        sub: String(user.id),
      });

      const page = await t.http.get(url.pathname + url.search);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html(;|$)/);
      expect(page.text).toContain('<h1>Hello preview');
      expect(page.text).not.toContain(user.token);
      expectSandboxHeaders(page);
    });

    it('on static is swapped by a 302 to the same path under a preview token, and following it serves the file', async () => {
      const res = await t.http.get(`${sandbox(sessionId)}/static/js/app.js?token=${user.token}`);

      expect(res.status).toBe(302);
      const location = res.headers.get('location')!;
      expect(location).not.toContain(user.token);
      const url = new URL(location, t.baseUrl);
      expect(url.pathname).toBe(`${sandbox(sessionId)}/static/js/app.js`);
      expect(claimsOf(url.searchParams.get('token')!)).toMatchObject({
        typ: 'preview',
        sid: sessionId,
      });

      const file = await raw(url.pathname + url.search);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toMatch(/^(application|text)\/javascript(;|$)/);
      expect(await file.text()).toBe(FILES['js/app.js']);
    });

    it('never makes its way into the server log', async () => {
      await t.http.get(`${sandbox(sessionId)}/preview?token=${user.token}`);
      await t.http.get(`${sandbox(sessionId)}/static/style.css?token=${user.token}`);
      expect(t.output()).not.toContain(user.token);
    });

    it('is ignored on other routes, even sandbox ones (401)', async () => {
      for (const path of [
        `${sandbox(sessionId)}/files?token=${user.token}`,
        `${sandbox(sessionId)}/files/index.html?token=${user.token}`,
        `/api/sessions?token=${user.token}`,
      ]) {
        const res = await t.http.get(path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });
  });

  describe('POST …/sandbox/preview-token', () => {
    it('issues {token, url, expires_at}: a preview token for this session that lasts 10 minutes', async () => {
      const before = Date.now();
      const res = await t.http.post(`${sandbox(sessionId)}/preview-token`, { token: user.token });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        token: expect.any(String),
        url: expect.any(String),
        expires_at: expect.any(String),
      });
      const { token, url, expires_at: expiresAt } = res.body;
      expect(token).not.toBe(user.token);
      expect(url).toBe(`${sandbox(sessionId)}/preview?token=${encodeURIComponent(token)}`);
      expect(expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
      const ahead = Date.parse(expiresAt) - before;
      expect(ahead).toBeGreaterThan(10 * 60 * 1000 - 5000);
      expect(ahead).toBeLessThanOrEqual(10 * 60 * 1000 + 5000);
      const claims = claimsOf(token);
      expect(claims).toMatchObject({ typ: 'preview', sid: sessionId, sub: String(user.id) });
      expect(claims.exp - claims.iat).toBe(600);
      expect(claims.exp * 1000).toBe(Date.parse(expiresAt));

      const page = await t.http.get(url);
      expect(page.status).toBe(200);
      expect(page.text).toContain('<h1>Hello preview');
    });

    it('needs an access token in the header: none → 401, a preview token → 401, ?token= → 401', async () => {
      const previewToken = await previewTokenFor(sessionId);
      const none = await t.http.post(`${sandbox(sessionId)}/preview-token`);
      const byPreview = await t.http.post(`${sandbox(sessionId)}/preview-token`, {
        token: previewToken,
      });
      const byQuery = await t.http.post(`${sandbox(sessionId)}/preview-token?token=${user.token}`);
      for (const res of [none, byPreview, byQuery]) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it("answers 403 for another user's session and 404 for an unknown one", async () => {
      const other = await registerUser(t.http, 'stranger');
      const forbidden = await t.http.post(`${sandbox(sessionId)}/preview-token`, {
        token: other.token,
      });
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toEqual({ detail: expect.any(String) });
      const unknown = await t.http.post(`${sandbox('0'.repeat(32))}/preview-token`, {
        token: user.token,
      });
      expect(unknown.status).toBe(404);
      expect(unknown.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('what a preview token cannot open', () => {
    it("refuses a preview token of another session on this session's preview and static routes (401)", async () => {
      const other = await createSession(t.http, user.token, 'Other');
      await writeFile(t.http, user.token, other, 'index.html', '<p>other</p>');
      const foreign = await previewTokenFor(other);

      const attempts = [
        await t.http.get(`${sandbox(sessionId)}/preview`, { token: foreign }),
        await t.http.get(`${sandbox(sessionId)}/preview?token=${foreign}`),
        await t.http.get(`${sandbox(sessionId)}/static/style.css`, { token: foreign }),
        await t.http.get(`${sandbox(sessionId)}/static/style.css?token=${foreign}`),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      // The same token still opens its own session's preview.
      expect((await t.http.get(`${sandbox(other)}/preview?token=${foreign}`)).status).toBe(200);
    });

    it('refuses a preview token on the rest of the API, its own session included (401)', async () => {
      const token = await previewTokenFor(sessionId);
      const attempts = [
        await t.http.get('/api/sessions', { token }),
        await t.http.get('/api/auth/me', { token }),
        await t.http.get(`/api/sessions/${sessionId}`, { token }),
        await t.http.get(`${sandbox(sessionId)}/files`, { token }),
        await t.http.get(`${sandbox(sessionId)}/files/index.html`, { token }),
        await t.http.post(`${sandbox(sessionId)}/files/index.html`, {
          token,
          body: { content: 'defaced' },
        }),
        await t.http.delete(`${sandbox(sessionId)}/files/index.html`, { token }),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      const read = await t.http.get(`${sandbox(sessionId)}/files/index.html`, {
        token: user.token,
      });
      expect(read.body.content).toBe(FILES['index.html']);
    });
  });

  describe('authentication on preview and static', () => {
    const expiredPreview = () =>
      jwt.sign(
        {
          sub: String(user.id),
          typ: 'preview',
          sid: sessionId,
          exp: Math.floor(Date.now() / 1000) - 10,
        },
        TEST_JWT_SECRET,
        { algorithm: 'HS256' },
      );
    const forgedPreview = () =>
      jwt.sign(
        { sub: String(user.id), typ: 'preview', sid: sessionId },
        'another-secret-another-secret-0000',
        {
          algorithm: 'HS256',
        },
      );

    it.each([
      ['no token at all', () => ''],
      ['?token= with garbage', () => '?token=garbage'],
      ['an expired preview token', () => `?token=${expiredPreview()}`],
      ['a preview token signed with another secret', () => `?token=${forgedPreview()}`],
    ])('answers 401 {"detail"} to %s', async (_label, query) => {
      const q = query();
      for (const path of [
        `${sandbox(sessionId)}/preview${q}`,
        `${sandbox(sessionId)}/static/style.css${q}`,
      ]) {
        const res = await t.http.get(path);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it("answers 403 to another user's access token, in the header or in ?token=", async () => {
      const other = await registerUser(t.http, 'neighbour');
      const attempts = [
        await t.http.get(`${sandbox(sessionId)}/preview`, { token: other.token }),
        await t.http.get(`${sandbox(sessionId)}/preview?token=${other.token}`),
        await t.http.get(`${sandbox(sessionId)}/static/style.css?token=${other.token}`),
      ];
      for (const res of attempts) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });
  });

  describe('security headers beside the preview', () => {
    it('sends helmet’s headers, not the preview’s, on POST …/preview-token and look-alike paths', async () => {
      const issued = await t.http.post(`${sandbox(sessionId)}/preview-token`, {
        token: user.token,
      });
      expect(issued.status).toBe(200);
      const lookAlikes = await Promise.all(
        ['previewXYZ', 'preview-errors', 'static', 'sites/x/y'].map((p) =>
          t.http.get(`${sandbox(sessionId)}/${p}`, { token: user.token }),
        ),
      );
      for (const res of [issued, ...lookAlikes]) {
        expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      }
    });

    it('sends only the preview’s own CSP on every real preview route', async () => {
      const token = encodeURIComponent(await previewTokenFor(sessionId));
      for (const path of [
        'preview',
        'preview/',
        'static/style.css',
        `site/${token}`,
        `site/${token}/`,
        `site/${token}/js/app.js`,
      ]) {
        const res = await t.http.get(`${sandbox(sessionId)}/${path}`, { token: user.token });
        expect([path, res.status]).toEqual([path, 200]);
        expectSandboxHeaders(res);
        expect(res.headers.get('x-frame-options')).toBeNull();
      }
    });
  });
});
