import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/agent-helpers.js';
import {
  createSession,
  registerAdmin,
  registerUser,
  writeFile,
  type TestUser,
} from '../support/factories.js';
import { startTestApp, startTestProcess, type TestApp } from '../support/test-app.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface CreatedKey {
  id: number;
  name: string;
  key: string;
  prefix: string;
  created_at: string;
  expires_at: string | null;
}

async function createKey(
  t: TestApp,
  token: string,
  body: Record<string, unknown> = { name: 'script' },
): Promise<CreatedKey> {
  const res = await t.http.post('/api/auth/api-keys', { token, body });
  expect(res.status).toBe(201);
  return res.body as CreatedKey;
}

describe('API keys', () => {
  let t: TestApp;
  let owner: TestUser;
  let other: TestUser;

  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerUser(t.http, 'keyowner');
    other = await registerUser(t.http, 'keyother');
  });
  afterAll(() => t.close());

  describe('creating and listing', () => {
    let created: CreatedKey;
    let createdText: string;

    beforeAll(async () => {
      const res = await t.http.post('/api/auth/api-keys', {
        token: owner.token,
        body: { name: 'CI deploy' },
      });
      expect(res.status).toBe(201);
      created = res.body as CreatedKey;
      createdText = res.text;
    });

    it('answers 201 {id, name, key, prefix, created_at, expires_at} with an aeio_ key', () => {
      expect(created).toEqual({
        id: expect.any(Number),
        name: 'CI deploy',
        key: expect.stringMatching(/^aeio_[0-9A-Za-z]{32,}$/),
        prefix: created.key.slice(0, 13),
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/),
        expires_at: null,
      });
      expect(Math.abs(Date.parse(created.created_at) - Date.now())).toBeLessThan(60_000);
    });

    it('makes a different key every time', async () => {
      const again = await createKey(t, owner.token, { name: 'CI deploy' });
      expect(again.key).not.toBe(created.key);
      expect(again.id).not.toBe(created.id);
    });

    it('lists the key without the key itself', async () => {
      const res = await t.http.get('/api/auth/api-keys', { token: owner.token });
      expect(res.status).toBe(200);
      const mine = (res.body as Record<string, unknown>[]).find((k) => k.id === created.id);
      expect(mine).toEqual({
        id: created.id,
        name: 'CI deploy',
        prefix: created.prefix,
        created_at: created.created_at,
        last_used_at: null,
        expires_at: null,
      });
      expect(res.text).not.toContain(created.key);
      expect(res.text).not.toContain(created.key.slice(13));
      expect(createdText).toContain(created.key);
    });

    it('keeps only a SHA-256 of the key in the database, never the key', async () => {
      const rows = await t.db.query(`SELECT * FROM api_keys WHERE id = $1`, [created.id]);
      expect(rows).toHaveLength(1);
      expect(rows[0].key_hash).toBe(sha256(created.key));
      const everything = JSON.stringify(await t.db.query(`SELECT * FROM api_keys`));
      expect(everything).not.toContain(created.key);
      expect(everything).not.toContain(created.key.slice(13));
    });

    it('sets expires_at expires_in_days from now', async () => {
      const k = await createKey(t, owner.token, { name: 'ninety', expires_in_days: 90 });
      const expected = Date.now() + 90 * 86_400_000;
      expect(Math.abs(Date.parse(k.expires_at!) - expected)).toBeLessThan(60_000);
    });
  });

  describe('using a key', () => {
    let key: CreatedKey;
    beforeAll(async () => {
      key = await createKey(t, owner.token, { name: 'user of routes' });
    });

    it('acts as its owner on me, sessions and files', async () => {
      const me = await t.http.get('/api/auth/me', { token: key.key });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({ id: owner.id, username: owner.username });

      const sessionId = await createSession(t.http, key.key, 'Made with a key');
      await writeFile(t.http, key.key, sessionId, 'index.html', '<h1>Key</h1>');
      const files = await t.http.get(`/api/sessions/${sessionId}/sandbox/files`, {
        token: key.key,
      });
      expect(files.status).toBe(200);
      expect((files.body.files as { name: string }[]).map((f) => f.name)).toEqual(['index.html']);

      // The owner's own token sees what the key made: same user.
      const viaToken = await t.http.get(`/api/sessions/${sessionId}/sandbox/files/index.html`, {
        token: owner.token,
      });
      expect(viaToken.body.content).toBe('<h1>Key</h1>');
      const list = await t.http.get('/api/sessions', { token: key.key });
      expect((list.body as { id: string }[]).map((s) => s.id)).toContain(sessionId);
    });

    it("does not open another user's session", async () => {
      const theirs = await createSession(t.http, other.token, 'Not yours');
      const res = await t.http.get(`/api/sessions/${theirs}`, { token: key.key });
      expect(res.status).toBe(403);
    });

    it('opens the preview from the Authorization header, but not as ?token= (401)', async () => {
      const sessionId = await createSession(t.http, owner.token, 'Preview');
      await writeFile(t.http, owner.token, sessionId, 'index.html', '<h1>Preview me</h1>');
      const header = await t.http.get(`/api/sessions/${sessionId}/sandbox/preview`, {
        token: key.key,
      });
      expect(header.status).toBe(200);
      expect(header.text).toContain('Preview me');

      for (const path of ['sandbox/preview', 'sandbox/static/index.html']) {
        const res = await t.http.get(`/api/sessions/${sessionId}/${path}?token=${key.key}`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
        expect(res.headers.get('location')).toBeNull();
      }
      const inPath = await t.http.get(
        `/api/sessions/${sessionId}/sandbox/site/${key.key}/index.html`,
      );
      expect(inPath.status).toBe(401);
      // Nor anywhere else in the URL: only the Authorization header carries a key.
      for (const path of ['/api/auth/me', `/api/sessions/${sessionId}`]) {
        expect((await t.http.get(`${path}?token=${key.key}`)).status).toBe(401);
      }
    });

    it('can mint a preview token, which opens only that preview', async () => {
      const sessionId = await createSession(t.http, owner.token, 'Minted');
      await writeFile(t.http, owner.token, sessionId, 'index.html', '<h1>Minted</h1>');
      const issued = await t.http.post(`/api/sessions/${sessionId}/sandbox/preview-token`, {
        token: key.key,
      });
      expect(issued.status).toBe(200);
      const url = new URL(issued.body.url as string, t.baseUrl);
      const page = await t.http.get(url.pathname + url.search);
      expect(page.status).toBe(200);
      expect(page.text).toContain('Minted');
      const me = await t.http.get('/api/auth/me', { token: issued.body.token as string });
      expect(me.status).toBe(401);
    });

    it('records last_used_at, written at most once a minute', async () => {
      const first = await eventually(
        async () => {
          const rows = await t.db.query<{ last_used_at: Date | null }>(
            `SELECT last_used_at FROM api_keys WHERE id = $1`,
            [key.id],
          );
          return rows[0].last_used_at ?? undefined;
        },
        5000,
        'last_used_at',
      );
      for (let i = 0; i < 5; i++) {
        expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
      }
      await sleep(300);
      const [row] = await t.db.query<{ last_used_at: Date }>(
        `SELECT last_used_at FROM api_keys WHERE id = $1`,
        [key.id],
      );
      expect(row.last_used_at.getTime()).toBe(first.getTime());
      const listed = await t.http.get('/api/auth/api-keys', { token: owner.token });
      const entry = (listed.body as { id: number; last_used_at: string }[]).find(
        (k) => k.id === key.id,
      );
      expect(Date.parse(entry!.last_used_at)).toBe(first.getTime());
    });

    it.each([
      ['a made-up key of the right shape', `aeio_${'A'.repeat(40)}`],
      ['a mangled key', 'aeio_not-a-key'],
    ])('refuses %s (401)', async (_l, value) => {
      const res = await t.http.get('/api/auth/me', { token: value });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Could not validate credentials' });
    });
  });

  describe('deleting', () => {
    it('stops the key at once (401) and answers {"message"}', async () => {
      const key = await createKey(t, owner.token, { name: 'short-lived' });
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
      const del = await t.http.delete(`/api/auth/api-keys/${key.id}`, { token: owner.token });
      expect(del.status).toBe(200);
      expect(del.body).toEqual({ message: expect.any(String) });
      const after = await t.http.get('/api/auth/me', { token: key.key });
      expect(after.status).toBe(401);
      expect(after.body).toEqual({ detail: expect.any(String) });
      const again = await t.http.delete(`/api/auth/api-keys/${key.id}`, { token: owner.token });
      expect(again.status).toBe(404);
      expect(await t.db.query(`SELECT id FROM api_keys WHERE id = $1`, [key.id])).toEqual([]);
    });

    it('can delete a key with the key itself', async () => {
      const key = await createKey(t, owner.token, { name: 'self-destruct' });
      const del = await t.http.delete(`/api/auth/api-keys/${key.id}`, { token: key.key });
      expect(del.status).toBe(200);
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(401);
    });

    it.each([['999999999'], ['abc'], ['1.5'], ['-1']])(
      'answers 404 {"detail"} for the unknown key id %s',
      async (id) => {
        const res = await t.http.delete(`/api/auth/api-keys/${id}`, { token: owner.token });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );
  });

  describe('another user', () => {
    let key: CreatedKey;
    beforeAll(async () => {
      key = await createKey(t, owner.token, { name: 'private' });
    });

    it('does not see my keys in their list', async () => {
      const res = await t.http.get('/api/auth/api-keys', { token: other.token });
      expect(res.status).toBe(200);
      expect((res.body as { id: number }[]).map((k) => k.id)).not.toContain(key.id);
      expect(res.text).not.toContain(key.prefix);
    });

    it('cannot delete my key (404, as for an unknown id), and it keeps working', async () => {
      const res = await t.http.delete(`/api/auth/api-keys/${key.id}`, { token: other.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
    });

    it('cannot delete my key with their own key either', async () => {
      const theirs = await createKey(t, other.token, { name: 'theirs' });
      const res = await t.http.delete(`/api/auth/api-keys/${key.id}`, { token: theirs.key });
      expect(res.status).toBe(404);
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
    });
  });

  describe('expiry', () => {
    it('refuses a key whose expires_at has passed (401)', async () => {
      const key = await createKey(t, owner.token, { name: 'expired', expires_in_days: 1 });
      await t.db.query(
        `UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`,
        [key.id],
      );
      const res = await t.http.get('/api/auth/me', { token: key.key });
      expect(res.status).toBe(401);
    });

    it('stops a key at its expiry even while the key is in use', async () => {
      const key = await createKey(t, owner.token, { name: 'expiring', expires_in_days: 1 });
      const [row] = await t.db.query<{ expires_at: Date }>(
        `UPDATE api_keys SET expires_at = now() + interval '1500 milliseconds' WHERE id = $1
         RETURNING expires_at`,
        [key.id],
      );
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
      await sleep(Math.max(0, row.expires_at.getTime() - Date.now()) + 100);
      const res = await t.http.get('/api/auth/me', { token: key.key });
      expect(res.status).toBe(401);
    });
  });

  describe('validation', () => {
    it.each([
      ['no name', {}],
      ['an empty name', { name: '' }],
      ['a name of 101 characters', { name: 'n'.repeat(101) }],
      ['a name that is not a string', { name: 42 }],
      ['expires_in_days 0', { name: 'k', expires_in_days: 0 }],
      ['negative expires_in_days', { name: 'k', expires_in_days: -3 }],
      ['fractional expires_in_days', { name: 'k', expires_in_days: 1.5 }],
      ['expires_in_days as a string', { name: 'k', expires_in_days: '30' }],
      ['expires_in_days past ten years', { name: 'k', expires_in_days: 3651 }],
    ])('refuses %s (422 with field errors)', async (_l, body) => {
      const before = await t.db.query(`SELECT count(*)::int AS n FROM api_keys`);
      const res = await t.http.post('/api/auth/api-keys', { token: owner.token, body });
      expect(res.status).toBe(422);
      expect(res.body).toEqual({
        detail: expect.any(String),
        errors: expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
      });
      expect(await t.db.query(`SELECT count(*)::int AS n FROM api_keys`)).toEqual(before);
    });

    it('accepts a name of 100 characters and 3650 days', async () => {
      const k = await createKey(t, owner.token, { name: 'n'.repeat(100), expires_in_days: 3650 });
      expect(k.name).toHaveLength(100);
    });

    it('needs authentication for every key route (401)', async () => {
      for (const [method, path] of [
        ['POST', '/api/auth/api-keys'],
        ['GET', '/api/auth/api-keys'],
        ['DELETE', '/api/auth/api-keys/1'],
      ]) {
        const res = await t.http.request(method, path, {
          body: method === 'POST' ? { name: 'x' } : undefined,
        });
        expect(res.status).toBe(401);
      }
    });
  });

  describe('the cap and the owner', () => {
    it('refuses the 101st key with 403 {"detail"}', async () => {
      const user = await registerUser(t.http, 'keycap');
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => createKey(t, user.token, { name: `k${i}` })),
      );
      const res = await t.http.post('/api/auth/api-keys', {
        token: user.token,
        body: { name: 'one too many' },
      });
      expect(res.status).toBe(403);
      expect(res.body.detail).toMatch(/100 API keys/);
      const [row] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM api_keys WHERE user_id = $1`,
        [user.id],
      );
      expect(row.n).toBe(100);
    });

    it("stops a disabled user's keys, and they work again once re-enabled", async () => {
      const admin = await registerAdmin(t);
      const user = await registerUser(t.http, 'keydisabled');
      const key = await createKey(t, user.token, { name: 'soon disabled' });
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
      const off = await t.http.patch(`/api/admin/users/${user.id}`, {
        token: admin.token,
        body: { disabled: true },
      });
      expect(off.status).toBe(200);
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(401);
      await t.http.patch(`/api/admin/users/${user.id}`, {
        token: admin.token,
        body: { disabled: false },
      });
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
    });

    it('deletes the keys with their user (ON DELETE CASCADE)', async () => {
      const user = await registerUser(t.http, 'keygone');
      const key = await createKey(t, user.token, { name: 'orphan' });
      await t.db.query(`DELETE FROM users WHERE id = $1`, [user.id]);
      expect(await t.db.query(`SELECT id FROM api_keys WHERE id = $1`, [key.id])).toEqual([]);
    });
  });
});

describe('API keys: rate limits count against the owner', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ THROTTLE_LIMIT_FREE: '6', THROTTLE_TTL_MS: '60000' });
  });
  afterAll(() => t.close());

  it('shares one counter between the owner’s token and their key', async () => {
    const user = await registerUser(t.http, 'keylimit');
    const key = await createKey(t, user.token, { name: 'limited' }); // 1
    for (let i = 0; i < 3; i++) {
      expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200); // 2–4
    }
    expect((await t.http.get('/api/auth/me', { token: user.token })).status).toBe(200); // 5
    expect((await t.http.get('/api/auth/me', { token: key.key })).status).toBe(200); // 6
    const limited = await t.http.get('/api/auth/me', { token: key.key });
    expect(limited.status).toBe(429);
    expect((await t.http.get('/api/auth/me', { token: user.token })).status).toBe(429);
  });
});

describe.each([
  ['Redis', { REDIS_URL }],
  ['PostgreSQL LISTEN/NOTIFY', {}],
])('API keys on two replicas (%s)', (_label, transportEnv: Record<string, string>) => {
  let a: TestApp;
  let b: TestApp;
  let user: TestUser;

  beforeAll(async () => {
    // Replicas are processes of their own, as in production.
    a = await startTestProcess(transportEnv);
    b = await startTestProcess(transportEnv, a.db);
    user = await registerUser(a.http, 'replicakey');
    // Give both replicas' listeners a moment to subscribe.
    await sleep(300);
  });
  afterAll(async () => {
    await b.close();
    await a.close();
  });

  it('a key in use on replica B, deleted on replica A, is refused on B at once', async () => {
    for (let round = 0; round < 3; round++) {
      const key = await createKey(a, user.token, { name: `round ${round}` });
      // In use on B.
      for (let i = 0; i < 3; i++) {
        expect((await b.http.get('/api/auth/me', { token: key.key })).status).toBe(200);
      }
      const del = await a.http.delete(`/api/auth/api-keys/${key.id}`, { token: user.token });
      expect(del.status).toBe(200);
      const onB = await b.http.get('/api/auth/me', { token: key.key });
      expect(onB.status).toBe(401);
      expect((await a.http.get('/api/auth/me', { token: key.key })).status).toBe(401);
    }
  });
});
