import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const repeat = <T>(value: T, n: number): T[] => Array.from({ length: n }, () => value);

/**
 * Issue 18 item 8: a preview page's asset loads spent its owner's per-user API limit (125 loads → the
 * owner's `GET /api/sessions` answered 429). Preview routes now have their own bucket per user.
 */
describe('preview traffic has its own rate-limit bucket (THROTTLE_LIMIT_FREE=10, THROTTLE_LIMIT_PREVIEW=40)', () => {
  let t: TestApp;
  let owner: TestUser;
  let sessionId: string;
  let site: string;

  /** `n` asset loads through the tokenised path, one after another, as a page's <base href> makes them. */
  async function loads(n: number): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push((await fetch(`${t.baseUrl}${site}/style.css`, { redirect: 'manual' })).status);
    }
    return out;
  }

  beforeAll(async () => {
    t = await startTestApp({
      THROTTLE_LIMIT_FREE: '10',
      THROTTLE_LIMIT_PREVIEW: '40',
      THROTTLE_TTL_MS: '60000',
    });
    owner = await registerUser(t.http, 'previewer');
    // Three requests of the owner's 10.
    sessionId = await createSession(t.http, owner.token);
    await writeFile(t.http, owner.token, sessionId, 'style.css', 'body { color: red }');
    const res = await t.http.post(`/api/sessions/${sessionId}/sandbox/preview-token`, {
      token: owner.token,
    });
    expect(res.status).toBe(200);
    site = `/api/sessions/${sessionId}/sandbox/site/${encodeURIComponent(res.body.token)}`;
  });
  afterAll(() => t.close());

  it('serves 30 asset loads, more than the owner’s API limit, and leaves the owner’s API alone', async () => {
    expect(await loads(30)).toEqual(repeat(200, 30));
    expect((await t.http.get('/api/sessions', { token: owner.token })).status).toBe(200);
  });

  it('limits preview traffic by its own limit, with 429 and Retry-After', async () => {
    expect(await loads(11)).toEqual([...repeat(200, 10), 429]);
    const refused = await fetch(`${t.baseUrl}${site}/style.css`, { redirect: 'manual' });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('still answers the owner’s API while the preview bucket is spent', async () => {
    expect((await t.http.get('/api/sessions', { token: owner.token })).status).toBe(200);
  });
});
