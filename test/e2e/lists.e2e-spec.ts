import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerAdmin, registerUser, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const LINK = /^<(\/api\/[^>]+)>; rel="next"$/;

/** The rel="next" URL of a response, or null on the last page. */
function nextUrl(res: HttpResponse): string | null {
  const link = res.headers.get('link');
  if (link === null) {
    return null;
  }
  const match = LINK.exec(link);
  expect(match).not.toBeNull();
  return match![1];
}

/** Follows the Link headers from `path` to the last page; every page must answer 200 with an array. */
async function walk(t: TestApp, token: string, path: string): Promise<any[][]> {
  const pages: any[][] = [];
  let url: string | null = path;
  while (url !== null) {
    const res = await t.http.get(url, { token });
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    pages.push(res.body);
    url = nextUrl(res);
    expect(pages.length).toBeLessThan(100);
  }
  return pages;
}

const BAD_LIMITS = [
  'limit=0',
  'limit=501',
  'limit=abc',
  'limit=1.5',
  'limit=-1',
  'limit=',
  'limit=2&limit=3',
];
const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');
const BAD_CURSORS = [
  'before=',
  'before=not-a-cursor!',
  `before=${cursorOf({ id: 1 })}`,
  `before=${cursorOf(['2026-01-01T00:00:00.000000Z'])}`,
  `before=${cursorOf(['2026-13-01T00:00:00.000000Z', '0'.repeat(32)])}`,
  `before=${cursorOf([0])}`,
  `before=${cursorOf(['7'])}`,
  `before=${cursorOf([2 ** 31])}`,
  'before=a&before=b',
];

function expect422(res: HttpResponse): void {
  expect(res.status).toBe(422);
  expect(res.body.detail).toEqual(expect.any(String));
}

describe('lists: ?limit=, ?before= and Link rel="next"', () => {
  let t: TestApp;
  let owner: TestUser;
  let admin: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerUser(t.http, 'owner');
    admin = await registerAdmin(t, 'lists_admin');
  });
  afterAll(() => t.close());

  describe('GET /api/sessions', () => {
    let expected: string[];

    beforeAll(async () => {
      for (let i = 0; i < 9; i++) {
        await createSession(t.http, owner.token, `s${i}`);
      }
      // Four sessions updated at the same microsecond: the cursor must break the tie by id.
      await t.db.query(
        `UPDATE sessions SET updated_at = '2026-01-01T00:00:00.123456Z'
          WHERE id IN (SELECT id FROM sessions WHERE title IN ('s2', 's3', 's5', 's7'))`,
      );
      const rows = await t.db.query<{ id: string }>(
        `SELECT id FROM sessions WHERE user_id = $1 ORDER BY updated_at DESC, id`,
        [owner.id],
      );
      expected = rows.map((r) => r.id);
    });

    it.each([1, 2, 3, 4, 9, 10])(
      'walks every session exactly once, most recently updated first, with limit=%i',
      async (limit) => {
        const pages = await walk(t, owner.token, `/api/sessions?limit=${limit}`);
        expect(pages.flat().map((s) => s.id)).toEqual(expected);
        expect(pages.length).toBe(Math.max(1, Math.ceil(expected.length / limit)));
        pages.slice(0, -1).forEach((p) => expect(p).toHaveLength(limit));
      },
    );

    it('keeps the other query parameters in the next URL, under /api', async () => {
      const res = await t.http.get('/api/sessions?limit=2&view=compact', { token: owner.token });
      const next = nextUrl(res)!;
      const url = new URL(next, 'http://x');
      expect(url.pathname).toBe('/api/sessions');
      expect(url.searchParams.get('limit')).toBe('2');
      expect(url.searchParams.get('view')).toBe('compact');
      expect(url.searchParams.get('before')).toEqual(expect.any(String));
    });

    it('sends no Link header when everything fits in one page', async () => {
      const res = await t.http.get('/api/sessions', { token: owner.token });
      expect(res.body.map((s: any) => s.id)).toEqual(expected);
      expect(res.headers.get('link')).toBeNull();
    });

    it('gives 100 by default and at most 500', async () => {
      const other = await registerUser(t.http, 'many');
      await t.db.query(
        `INSERT INTO sessions (id, user_id, title)
         SELECT md5(random()::text || g), $1, 'bulk ' || g FROM generate_series(1, 501) g`,
        [other.id],
      );
      const first = await t.http.get('/api/sessions', { token: other.token });
      expect(first.body).toHaveLength(100);
      expect(nextUrl(first)).not.toBeNull();
      const max = await t.http.get('/api/sessions?limit=500', { token: other.token });
      expect(max.body).toHaveLength(500);
      const rest = await t.http.get(nextUrl(max)!, { token: other.token });
      expect(rest.body).toHaveLength(1);
      expect(nextUrl(rest)).toBeNull();
      const all = new Set([...max.body, ...rest.body].map((s: any) => s.id));
      expect(all.size).toBe(501);
    });

    it.each([...BAD_LIMITS, ...BAD_CURSORS])('refuses ?%s with 422', async (query) => {
      expect422(await t.http.get(`/api/sessions?${query}`, { token: owner.token }));
    });
  });

  describe('GET /api/sessions/{id}/messages', () => {
    let sessionId: string;
    let expected: number[];

    beforeAll(async () => {
      sessionId = await createSession(t.http, owner.token, 'chat');
      // No LLM is configured: each POST stores the user message and answers 503.
      for (let i = 0; i < 7; i++) {
        const res = await t.http.post(`/api/sessions/${sessionId}/messages`, {
          token: owner.token,
          body: { content: `message ${i}` },
        });
        expect(res.status).toBe(503);
      }
      const rows = await t.db.query<{ id: number }>(
        `SELECT id FROM messages WHERE session_id = $1 ORDER BY id`,
        [sessionId],
      );
      expected = rows.map((r) => r.id);
      expect(expected).toHaveLength(7);
    });

    it('gives the newest page first, oldest first inside it; each next page is the one before', async () => {
      const pages = await walk(t, owner.token, `/api/sessions/${sessionId}/messages?limit=3`);
      expect(pages.map((p) => p.map((m) => m.content))).toEqual([
        ['message 4', 'message 5', 'message 6'],
        ['message 1', 'message 2', 'message 3'],
        ['message 0'],
      ]);
      expect(
        pages
          .reverse()
          .flat()
          .map((m) => m.id),
      ).toEqual(expected);
    });

    it.each([1, 2, 7, 8])('walks every message exactly once with limit=%i', async (limit) => {
      const pages = await walk(
        t,
        owner.token,
        `/api/sessions/${sessionId}/messages?limit=${limit}`,
      );
      expect(
        pages
          .reverse()
          .flat()
          .map((m) => m.id),
      ).toEqual(expected);
    });

    it('sends the whole conversation oldest first without a Link header when it fits', async () => {
      const res = await t.http.get(`/api/sessions/${sessionId}/messages`, { token: owner.token });
      expect(res.body.map((m: any) => m.id)).toEqual(expected);
      expect(res.headers.get('link')).toBeNull();
    });

    it.each([...BAD_LIMITS, ...BAD_CURSORS])('refuses ?%s with 422', async (query) => {
      expect422(
        await t.http.get(`/api/sessions/${sessionId}/messages?${query}`, { token: owner.token }),
      );
    });

    it('refuses a sessions cursor on the messages list with 422', async () => {
      const res = await t.http.get('/api/sessions?limit=1', { token: owner.token });
      const before = new URL(nextUrl(res)!, 'http://x').searchParams.get('before')!;
      expect422(
        await t.http.get(`/api/sessions/${sessionId}/messages?before=${before}`, {
          token: owner.token,
        }),
      );
    });
  });

  describe.each(['users', 'usage'])('GET /api/admin/%s', (list) => {
    const idOf = (row: any) => (list === 'users' ? row.id : row.user_id);

    it('walks every user exactly once, by id', async () => {
      const all = await t.http.get(`/api/admin/${list}?limit=500`, { token: admin.token });
      expect(all.status).toBe(200);
      const ids = all.body.map(idOf);
      expect(ids.length).toBeGreaterThanOrEqual(3);
      expect([...ids].sort((a, b) => a - b)).toEqual(ids);
      for (const limit of [1, 2]) {
        const pages = await walk(t, admin.token, `/api/admin/${list}?limit=${limit}`);
        expect(pages.flat().map(idOf)).toEqual(ids);
      }
    });

    it('drops offset from the next URL: the cursor says where the page starts', async () => {
      const res = await t.http.get(`/api/admin/${list}?limit=1&offset=1`, { token: admin.token });
      const all = await t.http.get(`/api/admin/${list}`, { token: admin.token });
      expect(res.body.map(idOf)).toEqual([idOf(all.body[1])]);
      const next = new URL(nextUrl(res)!, 'http://x');
      expect(next.searchParams.has('offset')).toBe(false);
      const second = await t.http.get(next.pathname + next.search, { token: admin.token });
      expect(second.body.map(idOf)).toEqual([idOf(all.body[2])]);
    });

    it.each([...BAD_LIMITS, ...BAD_CURSORS])('refuses ?%s with 422', async (query) => {
      expect422(await t.http.get(`/api/admin/${list}?${query}`, { token: admin.token }));
    });
  });
});
