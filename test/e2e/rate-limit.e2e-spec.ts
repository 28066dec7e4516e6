import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerUser, type TestUser } from '../support/factories.js';
import type { HttpClient, HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

function expectRateLimited(res: HttpResponse): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ detail: expect.any(String) });
  const retryAfter = res.headers.get('retry-after');
  expect(retryAfter).toMatch(/^\d+$/);
  expect(Number(retryAfter)).toBeGreaterThan(0);
  expect(Number(retryAfter)).toBeLessThanOrEqual(60);
}

/** Sends `n` authenticated requests one after another and returns their statuses. */
async function statuses(
  http: HttpClient,
  token: string,
  n: number,
  path = '/api/sessions',
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    out.push((await http.get(path, { token })).status);
  }
  return out;
}

const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

const credentials = () => {
  const username = `rl_${randomBytes(4).toString('hex')}`;
  return { username, email: `${username}@example.com`, password: 'correct horse battery' };
};

describe('rate limits', () => {
  describe('per client IP on register and login (THROTTLE_AUTH_LIMIT=3)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        THROTTLE_AUTH_LIMIT: '3',
        THROTTLE_LIMIT_FREE: '1000',
        THROTTLE_TTL_MS: '60000',
      });
    });
    afterAll(() => t.close());

    let first: { username: string; email: string; password: string };
    let token: string;

    it('counts register and login together and answers the 4th request with 429 and Retry-After', async () => {
      first = credentials();
      const register = await t.http.post('/api/auth/register', { body: first });
      expect(register.status).toBe(201);
      token = register.body.access_token;
      const login = await t.http.post('/api/auth/login', {
        body: { username: first.username, password: first.password },
      });
      expect(login.status).toBe(200);
      const wrong = await t.http.post('/api/auth/login', {
        body: { username: first.username, password: 'nope-nope' },
      });
      expect(wrong.status).toBe(401);

      const fourth = await t.http.post('/api/auth/register', { body: credentials() });
      expectRateLimited(fourth);
    });

    it('keeps refusing both routes once the limit is reached, even with the right password', async () => {
      const login = await t.http.post('/api/auth/login', {
        body: { username: first.username, password: first.password },
      });
      expectRateLimited(login);
      expectRateLimited(await t.http.post('/api/auth/register', { body: credentials() }));
    });

    it('registered no user while refusing', async () => {
      const rows = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM users`);
      expect(rows[0].n).toBe(1);
    });

    it('does not block signed-in requests, which are counted per user', async () => {
      const me = await t.http.get('/api/auth/me', { token });
      expect(me.status).toBe(200);
      expect(me.body.username).toBe(first.username);
    });

    it('never limits /api/health', async () => {
      const results = await Promise.all(repeat(0, 30).map(() => t.http.get('/api/health')));
      expect(results.map((r) => r.status)).toEqual(repeat(200, 30));
    });
  });

  describe('per user by tier (free 5, pro 8, enterprise 11)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        THROTTLE_AUTH_LIMIT: '1000',
        THROTTLE_LIMIT_FREE: '5',
        THROTTLE_LIMIT_PRO: '8',
        THROTTLE_LIMIT_ENTERPRISE: '11',
        THROTTLE_TTL_MS: '60000',
      });
    });
    afterAll(() => t.close());

    let free: TestUser;

    it('answers the 6th authenticated request of a free user with 429, Retry-After and {"detail"}', async () => {
      free = await registerUser(t.http, 'free');
      expect(await statuses(t.http, free.token, 5)).toEqual(repeat(200, 5));
      expectRateLimited(await t.http.get('/api/sessions', { token: free.token }));
    });

    it('counts every route together, not each route on its own', async () => {
      const user = await registerUser(t.http, 'mixed');
      const paths = [
        '/api/sessions',
        '/api/auth/me',
        '/api/sessions',
        '/api/auth/me',
        '/api/sessions',
      ];
      for (const path of paths) {
        expect((await t.http.get(path, { token: user.token })).status).toBe(200);
      }
      expectRateLimited(await t.http.get('/api/auth/me', { token: user.token }));
      expectRateLimited(
        await t.http.post('/api/sessions', { token: user.token, body: { title: 'x' } }),
      );
      const sessions = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1`, [user.id]);
      expect(sessions).toEqual([]);
    });

    it('leaves another user unaffected', async () => {
      const other = await registerUser(t.http, 'other');
      expect(await statuses(t.http, other.token, 5)).toEqual(repeat(200, 5));
      expectRateLimited(await t.http.get('/api/sessions', { token: free.token }));
    });

    it.each([
      ['pro', 'PRO', 8],
      ['enterprise', 'ENTERPRISE', 11],
    ])(
      "gives a user set to tier '%s' THROTTLE_LIMIT_%s (%i requests)",
      async (tier, _env, limit) => {
        const user = await registerUser(t.http, tier);
        await t.db.query(`UPDATE users SET tier = $1 WHERE id = $2`, [tier, user.id]);
        expect(await statuses(t.http, user.token, limit)).toEqual(repeat(200, limit));
        expectRateLimited(await t.http.get('/api/sessions', { token: user.token }));
      },
    );

    it('never limits /api/health, with or without the token of a limited user', async () => {
      const anonymous = await Promise.all(repeat(0, 20).map(() => t.http.get('/api/health')));
      const limited = await Promise.all(
        repeat(0, 20).map(() => t.http.get('/api/health', { token: free.token })),
      );
      expect([...anonymous, ...limited].map((r) => r.status)).toEqual(repeat(200, 40));
    });
  });

  describe('the window (THROTTLE_TTL_MS=1500)', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await startTestApp({
        THROTTLE_AUTH_LIMIT: '1000',
        THROTTLE_LIMIT_FREE: '2',
        THROTTLE_TTL_MS: '1500',
      });
    });
    afterAll(() => t.close());

    it('lets a limited user in again once the window has passed', async () => {
      const user = await registerUser(t.http, 'patient');
      expect(await statuses(t.http, user.token, 3)).toEqual([200, 200, 429]);
      await new Promise((r) => setTimeout(r, 3_200));
      expect((await t.http.get('/api/sessions', { token: user.token })).status).toBe(200);
    });
  });
});
