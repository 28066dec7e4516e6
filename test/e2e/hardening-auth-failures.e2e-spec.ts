import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerUser, type TestUser } from '../support/factories.js';
import type { HttpResponse } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A well-formed key that no one was ever given. */
const randomKey = () =>
  'aeio_' + Array.from(randomBytes(40), (b) => BASE62[b % BASE62.length]).join('');

const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

function expectRetryAfter(res: HttpResponse): void {
  expect(res.status).toBe(429);
  expect(res.body).toEqual({ detail: expect.any(String) });
  const seconds = Number(res.headers.get('retry-after'));
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(60);
}

/**
 * Issue 18 item 9: failed authentication was not rate-limited (150 random keys → 150 × 401, a database
 * look-up each). The client address comes from X-Forwarded-For (TRUST_PROXY=loopback), so one app can
 * play several clients.
 */
describe('failed authentication is limited per client address (THROTTLE_AUTH_FAILURE_LIMIT=5)', () => {
  let t: TestApp;
  let user: TestUser;
  let key: string;
  const from = (address: string) => ({ 'x-forwarded-for': address });

  beforeAll(async () => {
    t = await startTestApp({
      TRUST_PROXY: 'loopback',
      THROTTLE_AUTH_FAILURE_LIMIT: '5',
      THROTTLE_TTL_MS: '60000',
    });
    user = await registerUser(t.http, 'authfail');
    const created = await t.http.post('/api/auth/api-keys', {
      token: user.token,
      body: { name: 'script' },
    });
    expect(created.status).toBe(201);
    key = created.body.key as string;
  });
  afterAll(() => t.close());

  it('answers 150 random API keys with 5 × 401, then 429 with Retry-After', async () => {
    const answers: HttpResponse[] = [];
    for (let i = 0; i < 150; i++) {
      answers.push(
        await t.http.get('/api/sessions', { token: randomKey(), headers: from('198.51.100.1') }),
      );
    }
    expect(answers.map((r) => r.status)).toEqual([...repeat(401, 5), ...repeat(429, 145)]);
    expectRetryAfter(answers[149]);
  });

  it('refuses even a valid API key from that address before looking it up', async () => {
    const res = await t.http.get('/api/sessions', { token: key, headers: from('198.51.100.1') });
    expectRetryAfter(res);
  });

  it('leaves other addresses alone', async () => {
    const res = await t.http.get('/api/sessions', { token: key, headers: from('198.51.100.2') });
    expect(res.status).toBe(200);
    const wrong = await t.http.get('/api/sessions', {
      token: randomKey(),
      headers: from('198.51.100.2'),
    });
    expect(wrong.status).toBe(401);
  });

  it('still serves a signed access token from the limited address (it needs no guessable look-up)', async () => {
    const res = await t.http.get('/api/auth/me', {
      token: user.token,
      headers: from('198.51.100.1'),
    });
    expect(res.status).toBe(200);
  });

  it('counts bad bearer JWTs as failures too', async () => {
    const forged = `${user.token.slice(0, -4)}AAAA`;
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push(
        (await t.http.get('/api/sessions', { token: forged, headers: from('198.51.100.3') }))
          .status,
      );
    }
    expect(statuses).toEqual([...repeat(401, 5), 429, 429]);
  });

  it('does not count requests that carry no credential', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      statuses.push((await t.http.get('/api/sessions', { headers: from('198.51.100.4') })).status);
    }
    expect(statuses).toEqual(repeat(401, 8));
    const res = await t.http.get('/api/sessions', { token: key, headers: from('198.51.100.4') });
    expect(res.status).toBe(200);
  });
});
