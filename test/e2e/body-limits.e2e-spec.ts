import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** `{"<key>":"<value>"   }` padded with spaces to exactly `bytes` bytes. */
function padded(fields: Record<string, unknown>, bytes: number): string {
  const json = JSON.stringify(fields);
  const body = json.slice(0, -1) + ' '.repeat(bytes - Buffer.byteLength(json)) + '}';
  expect(Buffer.byteLength(body)).toBe(bytes);
  return body;
}

function expectTooLarge(res: HttpResponse): void {
  expect(res.status).toBe(413);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.body).toEqual({ detail: expect.any(String) });
}

/** No LLM is configured: a message that gets past its body limit is stored and answered 503. */
describe('request body limits per route', () => {
  let t: TestApp;
  let user: TestUser;
  let sessionId: string;
  const messagesUrl = () => `/api/sessions/${sessionId}/messages`;
  const fileUrl = (name: string) => `/api/sessions/${sessionId}/sandbox/files/${name}`;
  const messageCount = async () =>
    Number(
      (
        await t.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM messages WHERE session_id = $1`,
          [sessionId],
        )
      )[0].n,
    );

  beforeAll(async () => {
    t = await startTestApp();
    user = await registerUser(t.http);
    sessionId = await createSession(t.http, user.token);
  });
  afterAll(() => t.close());

  describe('every other route: 64 KiB', () => {
    it('reads a body of exactly 64 KiB', async () => {
      const rawBody = padded({ title: 'edge' }, 64 * KiB);
      const res = await t.http.post('/api/sessions', { token: user.token, rawBody });
      expect(res.status).toBe(201);
    });

    it('refuses 64 KiB + 1 byte with 413 {"detail"} and creates nothing', async () => {
      const rawBody = padded({ title: 'one byte over' }, 64 * KiB + 1);
      const res = await t.http.post('/api/sessions', { token: user.token, rawBody });
      expectTooLarge(res);
      const rows = await t.db.query(`SELECT id FROM sessions WHERE title = 'one byte over'`);
      expect(rows).toEqual([]);
    });

    it.each([
      ['PATCH', '/api/sessions/{id}', { title: 'x' }],
      ['POST', '/api/auth/register', { username: 'big', email: 'b@e.co', password: 'pw' }],
      ['POST', '/api/auth/login', { username: 'big', password: 'pw' }],
      ['POST', '/api/sessions/{id}/sandbox/preview-token', {}],
      ['POST', '/api/sessions/{id}/messages/latest/cancel', {}],
    ])('refuses a 1 MiB body on %s %s with 413', async (method, path, fields) => {
      const res = await t.http.request(method, path.replace('{id}', sessionId), {
        token: user.token,
        rawBody: padded(fields, MiB),
      });
      expectTooLarge(res);
    });

    it('refuses an oversized body before authentication (413, not 401)', async () => {
      const res = await t.http.post('/api/sessions', {
        rawBody: padded({ title: 'x' }, 100 * KiB),
      });
      expectTooLarge(res);
    });
  });

  describe('messages: 1 MiB', () => {
    it('reads a message body of exactly 1 MiB and stores its whole content', async () => {
      const before = await messageCount();
      const content = 'p'.repeat(MiB - 64);
      const rawBody = padded({ content }, MiB);
      const res = await t.http.post(messagesUrl(), { token: user.token, rawBody });
      expect(res.status).toBe(503); // past the limit and validation: no provider is configured
      const [row] = await t.db.query<{ len: number }>(
        `SELECT length(content) AS len FROM messages WHERE session_id = $1 ORDER BY id DESC LIMIT 1`,
        [sessionId],
      );
      expect(row.len).toBe(content.length);
      expect(await messageCount()).toBe(before + 1);
    });

    it('takes a pasted page of 300 000 characters (over the old 100 000 cap)', async () => {
      const res = await t.http.post(messagesUrl(), {
        token: user.token,
        body: { content: '<p>pasted</p>'.repeat(23_077) },
      });
      expect(res.status).toBe(503);
    });

    it('refuses 1 MiB + 1 byte with 413 and stores nothing', async () => {
      const before = await messageCount();
      const res = await t.http.post(messagesUrl(), {
        token: user.token,
        rawBody: padded({ content: 'q' }, MiB + 1),
      });
      expectTooLarge(res);
      expect(await messageCount()).toBe(before);
    });

    it('refuses an 8 MiB body (the file-write limit does not apply here) with 413', async () => {
      const res = await t.http.post(messagesUrl(), {
        token: user.token,
        rawBody: padded({ content: 'q' }, 8 * MiB),
      });
      expectTooLarge(res);
    });
  });

  describe('file writes: 8 MiB', () => {
    it('reads a 1 MiB file of quotes, which escapes to 2 MiB of JSON', async () => {
      const content = '"'.repeat(MiB);
      const res = await t.http.post(fileUrl('quotes.txt'), {
        token: user.token,
        body: { content },
      });
      expect(res.status).toBe(200);
      expect(res.body.size).toBe(MiB);
    });

    it('reads a 1 MiB file of control characters, which escapes to 6 MiB of JSON', async () => {
      const rawBody = JSON.stringify({ content: '\u0001'.repeat(MiB) });
      expect(Buffer.byteLength(rawBody)).toBeGreaterThan(6 * MiB);
      const res = await t.http.post(fileUrl('ctrl.txt'), { token: user.token, rawBody });
      expect(res.status).toBe(200);
      expect(res.body.size).toBe(MiB);
    });

    it('refuses 8 MiB + 1 byte with 413 and writes nothing', async () => {
      const res = await t.http.post(fileUrl('over.txt'), {
        token: user.token,
        rawBody: padded({ content: 'x' }, 8 * MiB + 1),
      });
      expectTooLarge(res);
      const rows = await t.db.query(`SELECT path FROM sandbox_files WHERE path = 'over.txt'`);
      expect(rows).toEqual([]);
    });
  });
});
