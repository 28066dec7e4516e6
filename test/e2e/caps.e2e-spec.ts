import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv } from '../support/agent-helpers.js';
import {
  createSession,
  registerAdmin,
  registerUser,
  writeFile,
  type TestUser,
} from '../support/factories.js';
import { FakeOpenAi, lastUserText, say, streamed } from '../support/fake-openai.js';
import { simultaneousPosts, type RaceResult } from '../support/simultaneous.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** Low caps so each can be reached in a test; enterprise keeps the default 0 (unlimited) for sessions. */
const CAPS = {
  LIMIT_SESSIONS_FREE: '3',
  LIMIT_SESSIONS_PRO: '5',
  LIMIT_STORAGE_BYTES_FREE: '2000',
  LIMIT_STORAGE_BYTES_PRO: '4000',
  LIMIT_CONCURRENT_RUNS_FREE: '2',
  LIMIT_CONCURRENT_RUNS_PRO: '3',
  LIMIT_TOKENS_PER_DAY_FREE: '200',
  LIMIT_TOKENS_PER_DAY_PRO: '400',
  SANDBOX_MAX_FILES: '5',
};

/** Each provider answer costs 100 prompt + 20 completion tokens; a message saying "hold" never ends. */
const fake = new FakeOpenAi((req) => {
  return lastUserText(req.body) === 'hold'
    ? { kind: 'hang' }
    : streamed(say('Done.'), { usage: [100, 20] });
});

describe('per-user caps by tier', () => {
  let t: TestApp;
  let admin: string;

  const setTier = async (user: TestUser, tier: string) => {
    const res = await t.http.patch(`/api/admin/users/${user.id}`, { token: admin, body: { tier } });
    expect(res.status).toBe(200);
  };
  const count = async (sql: string, params: unknown[]) =>
    Number((await t.db.query<{ n: string }>(sql, params))[0].n);
  const sessionsOf = (user: TestUser) =>
    count(`SELECT count(*) AS n FROM sessions WHERE user_id = $1`, [user.id]);
  const runningOf = (user: TestUser) =>
    count(
      `SELECT count(*) AS n FROM messages m JOIN sessions s ON s.id = m.session_id
        WHERE s.user_id = $1 AND m.status = 'running'`,
      [user.id],
    );
  const put = (user: TestUser, sessionId: string, name: string, content: string) =>
    t.http.post(`/api/sessions/${sessionId}/sandbox/files/${name}`, {
      token: user.token,
      body: { content },
    });
  const statuses = (results: RaceResult[]) =>
    results.reduce<Record<number, number>>((acc, r) => {
      acc[r.status] = (acc[r.status] ?? 0) + 1;
      return acc;
    }, {});

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp({ ...llmEnv(fake), ...CAPS });
    admin = (await registerAdmin(t, 'caps_admin')).token;
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  describe('sessions', () => {
    it('refuses a free user the session past the cap with 403, and a tier change applies at once', async () => {
      const user = await registerUser(t.http, 'sess');
      for (let i = 0; i < 3; i++) {
        await createSession(t.http, user.token);
      }
      const refused = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'x' },
      });
      expect(refused.status).toBe(403);
      expect(refused.body.detail).toMatch(/3 sessions/);
      expect(await sessionsOf(user)).toBe(3);

      await setTier(user, 'pro');
      await createSession(t.http, user.token);
      await createSession(t.http, user.token);
      const proRefused = await t.http.post('/api/sessions', {
        token: user.token,
        body: { title: 'x' },
      });
      expect(proRefused.status).toBe(403);
      expect(await sessionsOf(user)).toBe(5);

      await setTier(user, 'enterprise');
      for (let i = 0; i < 4; i++) {
        await createSession(t.http, user.token);
      }
      expect(await sessionsOf(user)).toBe(9);
    });

    it('lets exactly the cap through when 20 creations arrive at once', async () => {
      const user = await registerUser(t.http, 'race');
      const race = await simultaneousPosts(
        t.baseUrl,
        user.token,
        Array.from({ length: 20 }, (_, i) => ({ path: '/api/sessions', body: { title: `s${i}` } })),
      );
      const results = await Promise.all(race.responses);
      race.close();
      expect(statuses(results)).toEqual({ 201: 3, 403: 17 });
      expect(await sessionsOf(user)).toBe(3);
    });

    it('frees a place when a session is deleted', async () => {
      const user = await registerUser(t.http, 'free');
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await createSession(t.http, user.token));
      }
      expect((await t.http.delete(`/api/sessions/${ids[0]}`, { token: user.token })).status).toBe(
        200,
      );
      await createSession(t.http, user.token);
    });
  });

  describe('storage across all of a user’s sessions', () => {
    it('refuses with 413 a write that would take the user over, whichever session it is in', async () => {
      const user = await registerUser(t.http, 'store');
      const a = await createSession(t.http, user.token);
      const b = await createSession(t.http, user.token);
      await writeFile(t.http, user.token, a, 'big.txt', 'x'.repeat(1500));

      const over = await put(user, b, 'more.txt', 'y'.repeat(501));
      expect(over.status).toBe(413);
      expect(over.body.detail).toMatch(/2000 bytes/);
      expect(
        (await t.http.get(`/api/sessions/${b}/sandbox/files`, { token: user.token })).body,
      ).toEqual({ files: [], total_size: 0 });

      expect((await put(user, b, 'more.txt', 'y'.repeat(500))).status).toBe(200);
      // At the cap, an overwrite that does not grow still fits.
      expect((await put(user, a, 'big.txt', 'z'.repeat(1400))).status).toBe(200);

      await setTier(user, 'pro');
      expect((await put(user, b, 'pro.txt', 'p'.repeat(2000))).status).toBe(200);
      expect((await put(user, b, 'pro2.txt', 'p'.repeat(200))).status).toBe(413);
    });

    it('cannot be overshot by parallel writes into two sessions', async () => {
      const user = await registerUser(t.http, 'storerace');
      const a = await createSession(t.http, user.token);
      const b = await createSession(t.http, user.token);
      const race = await simultaneousPosts(
        t.baseUrl,
        user.token,
        Array.from({ length: 20 }, (_, i) => ({
          path: `/api/sessions/${i % 2 ? a : b}/sandbox/files/f${i}.txt`,
          body: { content: 'x'.repeat(400) },
        })),
      );
      const results = await Promise.all(race.responses);
      race.close();
      expect(statuses(results)).toEqual({ 200: 5, 413: 15 });
      const [row] = await t.db.query<{ files: string; bytes: string }>(
        `SELECT count(*) AS files, sum(f.size) AS bytes
           FROM sandbox_files f JOIN sessions s ON s.id = f.session_id WHERE s.user_id = $1`,
        [user.id],
      );
      expect({ files: Number(row.files), bytes: Number(row.bytes) }).toEqual({
        files: 5,
        bytes: 2000,
      });
    });
  });

  describe('files per session', () => {
    it('counts zero-byte files: the file past SANDBOX_MAX_FILES is refused with 413, overwrites are not', async () => {
      const user = await registerUser(t.http, 'files');
      const s = await createSession(t.http, user.token);
      for (let i = 1; i <= 5; i++) {
        expect((await put(user, s, `empty${i}.txt`, '')).status).toBe(200);
      }
      const sixth = await put(user, s, 'empty6.txt', '');
      expect(sixth.status).toBe(413);
      expect(sixth.body.detail).toMatch(/5 files/);
      expect((await put(user, s, 'empty3.txt', '')).status).toBe(200);
      expect((await put(user, s, 'empty3.txt', 'now with text')).status).toBe(200);
      expect(
        (await t.http.delete(`/api/sessions/${s}/sandbox/files/empty1.txt`, { token: user.token }))
          .status,
      ).toBe(200);
      expect((await put(user, s, 'empty6.txt', '')).status).toBe(200);
      expect(
        await count(`SELECT count(*) AS n FROM sandbox_files WHERE session_id = $1`, [s]),
      ).toBe(5);
    });
  });

  describe('concurrent runs', () => {
    /** Sends "hold" into each session at the same instant; answers the refusals, cancels the runs. */
    async function holdAll(user: TestUser, sessions: string[], running: number) {
      const race = await simultaneousPosts(
        t.baseUrl,
        user.token,
        sessions.map((id) => ({ path: `/api/sessions/${id}/messages`, body: { content: 'hold' } })),
      );
      const settled: (RaceResult | undefined)[] = sessions.map(() => undefined);
      race.responses.forEach((p, i) => void p.then((r) => (settled[i] = r)));
      const refused = await eventually(
        async () => {
          const done = settled.filter((r): r is RaceResult => r !== undefined);
          return done.length === sessions.length - running ? done : undefined;
        },
        15_000,
        'the refused turn starts',
      );
      const stillRunning = await runningOf(user);
      for (const id of sessions) {
        await t.http.post(`/api/sessions/${id}/messages/latest/cancel`, { token: user.token });
      }
      const all = await Promise.all(race.responses);
      race.close();
      return { refused, stillRunning, all };
    }

    it('answers 429 to a turn past the tier’s concurrent runs, even when all start at once', async () => {
      const user = await registerUser(t.http, 'runs');
      const sessions: string[] = [];
      await setTier(user, 'enterprise'); // more sessions than a free user may have
      for (let i = 0; i < 8; i++) {
        sessions.push(await createSession(t.http, user.token));
      }
      await setTier(user, 'free');

      const free = await holdAll(user, sessions, 2);
      expect(free.stillRunning).toBe(2);
      expect(free.refused.map((r) => r.status)).toEqual(Array(6).fill(429));
      expect(free.refused[0].body.detail).toMatch(/2 agent turns/);
      expect(statuses(free.all)).toEqual({ 200: 2, 429: 6 });

      await setTier(user, 'pro');
      const pro = await holdAll(user, sessions, 3);
      expect(pro.stillRunning).toBe(3);
      expect(statuses(pro.all)).toEqual({ 200: 3, 429: 5 });
    });
  });

  describe('tokens per day', () => {
    it('answers 429 with Retry-After until midnight UTC once the day’s tokens are spent', async () => {
      const user = await registerUser(t.http, 'tokens');
      const s = await createSession(t.http, user.token);
      const post = () =>
        t.http.post(`/api/sessions/${s}/messages`, { token: user.token, body: { content: 'hi' } });
      expect((await post()).status).toBe(200); // 120 tokens
      expect((await post()).status).toBe(200); // 240 tokens: the budget of 200 was not yet spent at start
      const before = (await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM messages`))[0].n;

      const refused = await post();
      expect(refused.status).toBe(429);
      expect(refused.body.detail).toMatch(/200 tokens/);
      const now = new Date();
      const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
      const expected = Math.ceil((midnight - now.getTime()) / 1000);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(Math.abs(retryAfter - expected)).toBeLessThanOrEqual(5);
      expect((await t.db.query<{ n: string }>(`SELECT count(*) AS n FROM messages`))[0].n).toBe(
        before,
      );

      await setTier(user, 'pro'); // 400 a day: the next turn may start at once
      expect((await post()).status).toBe(200);
    });
  });

  describe('GET /api/auth/me', () => {
    it('shows the tier, what the user uses and the limits of the same keys', async () => {
      const user = await registerUser(t.http, 'me');
      const s = await createSession(t.http, user.token);
      await createSession(t.http, user.token);
      await writeFile(t.http, user.token, s, 'a.txt', 'x'.repeat(123));
      expect(
        (
          await t.http.post(`/api/sessions/${s}/messages`, {
            token: user.token,
            body: { content: 'hi' },
          })
        ).status,
      ).toBe(200);

      const me = await t.http.get('/api/auth/me', { token: user.token });
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: user.id,
        tier: 'free',
        usage: { sessions: 2, storage_bytes: 123, running: 0, tokens_today: 120 },
        limits: { sessions: 3, storage_bytes: 2000, running: 2, tokens_today: 200 },
      });

      await setTier(user, 'enterprise');
      const after = await t.http.get('/api/auth/me', { token: user.token });
      expect(after.body).toMatchObject({
        tier: 'enterprise',
        limits: { sessions: 0, storage_bytes: 0, running: 20, tokens_today: 0 },
      });
    });
  });
});
