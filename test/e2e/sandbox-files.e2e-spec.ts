import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface RawResponse {
  status: number;
  body: unknown;
}

/**
 * Sends a request with its path written exactly as given: fetch (WHATWG URL) would fold "/../" and
 * re-encode, so a traversal attempt must go through node:http to reach the server as a client wrote it.
 */
function rawRequest(
  baseUrl: string,
  method: string,
  path: string,
  token: string,
  body?: unknown,
): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: hostname,
        port,
        method,
        path,
        headers: {
          authorization: `Bearer ${token}`,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          if ((res.headers['content-type'] ?? '').includes('application/json')) {
            parsed = JSON.parse(text);
          }
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('sandbox files', () => {
  let t: TestApp;
  let user: TestUser;

  const files = (sessionId: string) => `/api/sessions/${sessionId}/sandbox/files`;
  const rowsOf = (sessionId: string) =>
    t.db.query<{ path: string; size: number }>(
      `SELECT path, size FROM sandbox_files WHERE session_id = $1 ORDER BY path COLLATE "C"`,
      [sessionId],
    );
  const sandboxBytes = async (sessionId: string) =>
    Number(
      (
        await t.db.query<{ sandbox_bytes: string }>(
          `SELECT sandbox_bytes FROM sessions WHERE id = $1`,
          [sessionId],
        )
      )[0].sandbox_bytes,
    );

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http, 'files');
  });
  afterAll(() => t.close());

  describe('GET /api/sessions/{id}/sandbox/files', () => {
    it('lists a new sandbox as no files and a total of 0', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.get(files(sessionId), { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ files: [], total_size: 0 });
    });

    it('lists every file sorted by name, with its size, and the total size', async () => {
      const sessionId = await createSession(t.http, user.token);
      const contents: Record<string, string> = {
        'z.txt': 'last',
        'index.html': '<h1>hi</h1>',
        'css/site.css': 'body { color: red }',
        'a/b/c.txt': 'deep',
        'b.js': 'console.log("é")',
      };
      for (const [name, content] of Object.entries(contents)) {
        await writeFile(t.http, user.token, sessionId, name, content);
      }

      const res = await t.http.get<{ files: { name: string; size: number }[]; total_size: number }>(
        files(sessionId),
        { token: user.token },
      );

      expect(res.status).toBe(200);
      const expected = Object.keys(contents)
        .sort()
        .map((name) => ({ name, size: Buffer.byteLength(contents[name], 'utf8') }));
      expect(res.body.files).toEqual(expected);
      expect(res.body.files.map((f) => f.name)).toEqual([
        'a/b/c.txt',
        'b.js',
        'css/site.css',
        'index.html',
        'z.txt',
      ]);
      expect(res.body.total_size).toBe(expected.reduce((sum, f) => sum + f.size, 0));
    });
  });

  describe('POST /api/sessions/{id}/sandbox/files/{filename}', () => {
    it('saves a file and answers with its filename, its size in UTF-8 bytes and a message (200)', async () => {
      const sessionId = await createSession(t.http, user.token);
      const content = 'Grüße, 世界! 🚀 — ok';
      const bytes = Buffer.byteLength(content, 'utf8');
      expect(bytes).toBeGreaterThan(content.length);

      const res = await t.http.post(`${files(sessionId)}/hello.txt`, {
        token: user.token,
        body: { content },
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'hello.txt',
        size: bytes,
        message: 'File saved successfully',
      });
      expect(await rowsOf(sessionId)).toEqual([{ path: 'hello.txt', size: bytes }]);
      expect(await sandboxBytes(sessionId)).toBe(bytes);
    });

    it('reads the file back with the same content and size', async () => {
      const sessionId = await createSession(t.http, user.token);
      const content = 'línea 1\nline 2 — 二\n\tindented 🙂\n';
      await writeFile(t.http, user.token, sessionId, 'notes.md', content);

      const res = await t.http.get(`${files(sessionId)}/notes.md`, { token: user.token });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'notes.md',
        content,
        size: Buffer.byteLength(content, 'utf8'),
      });
    });

    it('overwrites an existing file, keeping one entry with the new content and size', async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(
        t.http,
        user.token,
        sessionId,
        'page.html',
        '<p>first version, quite a bit longer</p>',
      );

      const res = await t.http.post(`${files(sessionId)}/page.html`, {
        token: user.token,
        body: { content: '<p>v2 ✓</p>' },
      });

      expect(res.status).toBe(200);
      const size = Buffer.byteLength('<p>v2 ✓</p>', 'utf8');
      expect(res.body).toEqual({ filename: 'page.html', size, message: 'File saved successfully' });
      const read = await t.http.get(`${files(sessionId)}/page.html`, { token: user.token });
      expect(read.body).toEqual({ filename: 'page.html', content: '<p>v2 ✓</p>', size });
      const list = await t.http.get(files(sessionId), { token: user.token });
      expect(list.body).toEqual({ files: [{ name: 'page.html', size }], total_size: size });
      expect(await sandboxBytes(sessionId)).toBe(size);
    });

    it('stores nested paths such as css/site.css and a/b/c.txt and reads them back', async () => {
      const sessionId = await createSession(t.http, user.token);
      const css = await t.http.post(`${files(sessionId)}/css/site.css`, {
        token: user.token,
        body: { content: 'h1 { color: blue }' },
      });
      const deep = await t.http.post(`${files(sessionId)}/a/b/c.txt`, {
        token: user.token,
        body: { content: 'c' },
      });
      expect(css.status).toBe(200);
      expect(css.body.filename).toBe('css/site.css');
      expect(deep.status).toBe(200);
      expect(deep.body.filename).toBe('a/b/c.txt');

      const readCss = await t.http.get(`${files(sessionId)}/css/site.css`, { token: user.token });
      const readDeep = await t.http.get(`${files(sessionId)}/a/b/c.txt`, { token: user.token });
      expect(readCss.body).toEqual({
        filename: 'css/site.css',
        content: 'h1 { color: blue }',
        size: 18,
      });
      expect(readDeep.body).toEqual({ filename: 'a/b/c.txt', content: 'c', size: 1 });
      expect((await rowsOf(sessionId)).map((r) => r.path)).toEqual(['a/b/c.txt', 'css/site.css']);
    });

    it('accepts a name with spaces and an empty file', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.post(`${files(sessionId)}/My%20Page.html`, {
        token: user.token,
        body: { content: '' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        filename: 'My Page.html',
        size: 0,
        message: 'File saved successfully',
      });
      const read = await t.http.get(`${files(sessionId)}/My%20Page.html`, { token: user.token });
      expect(read.body).toEqual({ filename: 'My Page.html', content: '', size: 0 });
    });

    it('accepts a name of exactly 255 characters', async () => {
      const sessionId = await createSession(t.http, user.token);
      const name = `${'n'.repeat(251)}.txt`;
      expect(name).toHaveLength(255);

      const res = await t.http.post(`${files(sessionId)}/${name}`, {
        token: user.token,
        body: { content: 'long' },
      });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ filename: name, size: 4, message: 'File saved successfully' });
      const read = await t.http.get(`${files(sessionId)}/${name}`, { token: user.token });
      expect(read.body).toEqual({ filename: name, content: 'long', size: 4 });
    });

    it.each([
      ['a number', { content: 42 }],
      ['null', { content: null }],
      ['an array', { content: ['a'] }],
      ['an object', { content: { text: 'x' } }],
      ['missing', {}],
    ])(
      'refuses content that is %s with 422 and a field error, writing nothing',
      async (_label, body) => {
        const sessionId = await createSession(t.http, user.token);
        const res = await t.http.post(`${files(sessionId)}/x.txt`, { token: user.token, body });
        expect(res.status).toBe(422);
        expect(res.body.detail).toEqual(expect.any(String));
        expect(res.body.errors).toEqual(
          expect.arrayContaining([expect.objectContaining({ field: 'content' })]),
        );
        expect(await rowsOf(sessionId)).toEqual([]);
      },
    );

    it('refuses malformed JSON with 400 {"detail"}', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.post(`${files(sessionId)}/x.txt`, {
        token: user.token,
        rawBody: '{"content": ',
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect(await rowsOf(sessionId)).toEqual([]);
    });
  });

  describe('DELETE /api/sessions/{id}/sandbox/files/{filename}', () => {
    it('deletes a file, after which it is 404, gone from the list and no longer counted', async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, sessionId, 'keep.txt', 'keep');
      await writeFile(t.http, user.token, sessionId, 'css/gone.css', 'gone ✗');

      const res = await t.http.delete(`${files(sessionId)}/css/gone.css`, { token: user.token });

      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'File deleted successfully' });
      const read = await t.http.get(`${files(sessionId)}/css/gone.css`, { token: user.token });
      expect(read.status).toBe(404);
      expect(read.body).toEqual({ detail: expect.any(String) });
      const list = await t.http.get(files(sessionId), { token: user.token });
      expect(list.body).toEqual({ files: [{ name: 'keep.txt', size: 4 }], total_size: 4 });
      expect(await sandboxBytes(sessionId)).toBe(4);
    });

    it('answers 404 {"detail"} when deleting a file that does not exist', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.delete(`${files(sessionId)}/nope.txt`, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('GET /api/sessions/{id}/sandbox/files/{filename}', () => {
    it('answers 404 {"detail"} for a file that does not exist', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.get(`${files(sessionId)}/missing.html`, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('filenames that leave the sandbox or break the rules', () => {
    let sessionId: string;
    beforeAll(async () => {
      sessionId = await createSession(t.http, user.token);
    });

    it.each([
      ['a raw ".." segment', '/../x'],
      ['a deep raw traversal', '/a/../../x'],
      ['an encoded-slash traversal', '/..%2f..%2fetc%2fpasswd'],
      ['a fully encoded traversal', '/%2e%2e%2fx'],
      ['an encoded backslash', '/a%5cb'],
      ['an encoded NUL byte', '/a%00b'],
      ['an encoded leading slash', '/%2fetc'],
      ['an encoded newline', '/a%0ab'],
      ['a name of 256 characters', `/${'x'.repeat(256)}`],
    ])('refuses %s with 400 {"detail"} and writes nothing', async (_label, suffix) => {
      const path = `${files(sessionId)}${suffix}`;
      const write = await rawRequest(t.baseUrl, 'POST', path, user.token, { content: 'pwned' });
      expect(write.status).toBe(400);
      expect(write.body).toEqual({ detail: expect.any(String) });
      const read = await rawRequest(t.baseUrl, 'GET', path, user.token);
      expect(read.status).toBe(400);
      expect(read.body).toEqual({ detail: expect.any(String) });
      const del = await rawRequest(t.baseUrl, 'DELETE', path, user.token);
      expect(del.status).toBe(400);
      expect(del.body).toEqual({ detail: expect.any(String) });
      expect(await rowsOf(sessionId)).toEqual([]);
    });

    it('left no file and no byte count behind after all those attempts', async () => {
      expect(await rowsOf(sessionId)).toEqual([]);
      expect(await sandboxBytes(sessionId)).toBe(0);
      const pwned = await t.db.query(
        `SELECT session_id, path FROM sandbox_files WHERE content = $1`,
        [Buffer.from('pwned')],
      );
      expect(pwned).toEqual([]);
    });
  });

  describe('ownership and authentication', () => {
    it('answers 401 {"detail"} without a token', async () => {
      const sessionId = await createSession(t.http, user.token);
      const res = await t.http.get(files(sessionId));
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it("answers 403 to another user's reads, writes and deletes, and changes nothing", async () => {
      const sessionId = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, sessionId, 'secret.txt', 'mine');
      const other = await registerUser(t.http, 'intruder');

      const list = await t.http.get(files(sessionId), { token: other.token });
      const read = await t.http.get(`${files(sessionId)}/secret.txt`, { token: other.token });
      const write = await t.http.post(`${files(sessionId)}/secret.txt`, {
        token: other.token,
        body: { content: 'x' },
      });
      const del = await t.http.delete(`${files(sessionId)}/secret.txt`, { token: other.token });

      for (const res of [list, read, write, del]) {
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      expect(await rowsOf(sessionId)).toEqual([{ path: 'secret.txt', size: 4 }]);
    });

    it('answers 404 for a session that does not exist', async () => {
      const res = await t.http.get(files('0'.repeat(32)), { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });
});
