import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const MiB = 1024 * 1024;

/** Text that would betray internals: stack frames, parser messages, SQL, ORM or driver names. */
const LEAKS = [
  /"stack"/,
  /\bat \//,
  /\bat (Object|Module|async|new)\b/,
  /node_modules/,
  /\.(ts|js):\d+/,
  /\b(SELECT|INSERT INTO|UPDATE \w+ SET|DELETE FROM|WHERE)\b/,
  /QueryFailedError|TypeORM|duplicate key|violates|relation "/i,
  /SyntaxError|JSON\.parse|Unexpected token|in JSON at position/,
];

function expectCleanError(res: HttpResponse, status: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual(expect.objectContaining({ detail: expect.any(String) }));
  expect(res.body.detail.length).toBeGreaterThan(0);
  for (const leak of LEAKS) {
    expect(res.text).not.toMatch(leak);
  }
}

describe('errors', () => {
  let t: TestApp;
  let user: TestUser;
  let sessionId: string;
  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http, 'errs');
    sessionId = await createSession(t.http, user.token, 'Errors');
  });
  afterAll(() => t.close());

  const fileUrl = (name: string) => `/api/sessions/${sessionId}/sandbox/files/${name}`;

  describe('malformed JSON', () => {
    it.each([
      ['a truncated object', '{"title": '],
      ['a single-quoted string', "{'title': 'x'}"],
      ['a trailing comma', '{"title": "x",}'],
      ['plain text', 'hello'],
    ])(
      'answers %s on an authenticated route with 400 {"detail"} and no parser internals',
      async (_l, rawBody) => {
        const res = await t.http.post('/api/sessions', { token: user.token, rawBody });
        expectCleanError(res, 400);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it('answers malformed JSON on a public route (login) with 400 {"detail"}', async () => {
      const res = await t.http.post('/api/auth/login', {
        rawBody: '{"username": "a", "password": }',
      });
      expectCleanError(res, 400);
    });

    it('creates nothing from a malformed body', async () => {
      await t.http.post('/api/sessions', { token: user.token, rawBody: '{"title": "half' });
      const rows = await t.db.query(`SELECT id FROM sessions WHERE title LIKE 'half%'`);
      expect(rows).toEqual([]);
    });
  });

  describe('unknown routes and methods', () => {
    it.each([
      ['an unknown path under /api', '/api/does-not-exist', false],
      ['an unknown path under /api, signed in', '/api/sessions/a/b/c/d/e', true],
      ['a path outside /api', '/sessions', false],
      ['a missing file outside /api', '/missing.js', false],
      ['a page path a browser did not ask for as HTML', '/sessions/abc', false],
    ])('answers %s with 404 {"detail"}', async (_l, path, signedIn) => {
      const res = await t.http.get(path, signedIn ? { token: user.token } : {});
      expectCleanError(res, 404);
    });

    it.each([
      ['PUT', '/api/sessions'],
      ['DELETE', '/api/health'],
      ['PUT', '/api/auth/login'],
      ['GET', '/api/auth/register'],
      ['POST', '/api/sessions/{id}/messages/latest/execution-steps'],
    ])(
      'answers %s %s (a known path, wrong method) with 404 or 405 and {"detail"}',
      async (method, path) => {
        const body = method === 'GET' ? undefined : {};
        const res = await t.http.request(method, path.replace('{id}', sessionId), {
          token: user.token,
          body,
        });
        expect([404, 405]).toContain(res.status);
        expectCleanError(res, res.status);
      },
    );
  });

  describe('request body size', () => {
    it('refuses a JSON body over 8 MiB with 413 {"detail"} and writes nothing', async () => {
      const res = await t.http.post(fileUrl('huge.txt'), {
        token: user.token,
        body: { content: 'x'.repeat(8 * MiB + 1024) },
      });
      expectCleanError(res, 413);
      const rows = await t.db.query(`SELECT path FROM sandbox_files WHERE path = 'huge.txt'`);
      expect(rows).toEqual([]);
    });

    it('refuses a body one byte over 8 MiB with 413', async () => {
      const head = '{"content":"x"';
      const rawBody = head + ' '.repeat(8 * MiB + 1 - head.length - 1) + '}';
      expect(Buffer.byteLength(rawBody)).toBe(8 * MiB + 1);
      const res = await t.http.post(fileUrl('edge.txt'), { token: user.token, rawBody });
      expectCleanError(res, 413);
    });

    it('still answers /api/health and authenticated routes after refusing an oversized body', async () => {
      await t.http.post(fileUrl('huge2.txt'), {
        token: user.token,
        body: { content: 'y'.repeat(9 * MiB) },
      });
      const health = await t.http.get('/api/health');
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('ok');
      const list = await t.http.get('/api/sessions', { token: user.token });
      expect(list.status).toBe(200);
    });

    it('reads a body of exactly 8 MiB (valid JSON padded with whitespace)', async () => {
      const head = '{"content":"edge"';
      const rawBody = head + ' '.repeat(8 * MiB - head.length - 1) + '}';
      expect(Buffer.byteLength(rawBody)).toBe(8 * MiB);
      const res = await t.http.post(fileUrl('exactly-8.txt'), { token: user.token, rawBody });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'exactly-8.txt',
        size: 4,
        message: 'File saved successfully',
      });
    });

    it('reads a 7 MiB JSON body', async () => {
      const head = '{"content":"seven"';
      const rawBody = head + '\n'.repeat(7 * MiB - head.length - 1) + '}';
      const res = await t.http.post(fileUrl('seven.txt'), { token: user.token, rawBody });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'seven.txt',
        size: 5,
        message: 'File saved successfully',
      });
    });

    it.each([
      ['"', 2],
      ['\\', 2],
      ['\u0001', 6],
    ])(
      'accepts a 1 MiB file of %j, which escapes to %i bytes a char in JSON (200)',
      async (char, factor) => {
        const content = char.repeat(MiB);
        const body = JSON.stringify({ content });
        expect(Buffer.byteLength(body)).toBeGreaterThanOrEqual(factor * MiB);
        const name = `escaped-${char.charCodeAt(0)}.txt`;
        const res = await t.http.post(fileUrl(name), { token: user.token, rawBody: body });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ filename: name, size: MiB, message: 'File saved successfully' });
        const back = await t.http.get(fileUrl(name), { token: user.token });
        expect(back.status).toBe(200);
        expect(back.body.size).toBe(MiB);
        expect(back.body.content === content).toBe(true);
      },
    );
  });

  describe('no internals in error bodies', () => {
    it.each([
      ['401 without a token', () => t.http.get('/api/sessions'), 401],
      ['401 with a garbage token', () => t.http.get('/api/sessions', { token: 'x.y.z' }), 401],
      [
        '404 for a malformed session id',
        () => t.http.get("/api/sessions/1'%3B%20DROP%20TABLE%20users%3B--", { token: user.token }),
        404,
      ],
      [
        '404 for a missing file',
        () => t.http.get(fileUrl('nope.html'), { token: user.token }),
        404,
      ],
      [
        '400 for a filename that climbs out',
        () => t.http.get(fileUrl('..%2F..%2Fetc%2Fpasswd'), { token: user.token }),
        400,
      ],
      [
        '422 for a failed validation',
        () => t.http.post('/api/sessions', { token: user.token, body: { title: 5 } }),
        422,
      ],
      [
        '400 for a taken username',
        () =>
          t.http.post('/api/auth/register', {
            body: { username: user.username, email: 'dup@example.com', password: 'secret123' },
          }),
        400,
      ],
      [
        '401 for a wrong password',
        () =>
          t.http.post('/api/auth/login', {
            body: { username: user.username, password: 'wrong-one' },
          }),
        401,
      ],
    ])('keeps the %s clean', async (_l, send, status) => {
      expectCleanError(await send(), status);
    });

    it('refuses a NUL byte in a title (which PostgreSQL cannot store) as bad input, not a 500', async () => {
      const res = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'bad\u0000title' },
      });
      expect([400, 422]).toContain(res.status);
      expectCleanError(res, res.status);
      const health = await t.http.get('/api/health');
      expect(health.status).toBe(200);
    });

    it('refuses a NUL byte in a filename with 400', async () => {
      const res = await t.http.post(fileUrl('evil%00.html'), {
        token: user.token,
        body: { content: 'x' },
      });
      expectCleanError(res, 400);
    });
  });
});
