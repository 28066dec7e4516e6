import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually, llmEnv } from '../support/agent-helpers.js';
import { createSession, registerUser, type TestUser } from '../support/factories.js';
import { FakeOpenAi, lastUserText, say, streamed } from '../support/fake-openai.js';
import { simultaneousPosts } from '../support/simultaneous.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/** "hold" never gets an answer (the turn stays in progress); "fail" gets a provider 500; else "Done.". */
const fake = new FakeOpenAi((req) => {
  const last = lastUserText(req.body);
  if (last === 'hold') {
    return { kind: 'hang' };
  }
  if (last === 'fail') {
    return failures-- > 0 ? { kind: 'status', status: 500 } : streamed(say('Recovered.'));
  }
  return streamed(say('Done.'));
});
let failures = 1;

describe('Idempotency-Key', () => {
  let t: TestApp;
  let user: TestUser;

  const key = () => `key-${Math.random().toString(36).slice(2)}`;
  const createWith = (token: string, k: string, title: string) =>
    t.http.post('/api/sessions', {
      token,
      body: { title },
      headers: { 'idempotency-key': k },
    });
  const sendWith = (token: string, sessionId: string, k: string, content: string) =>
    t.http.post(`/api/sessions/${sessionId}/messages`, {
      token,
      body: { content },
      headers: { 'idempotency-key': k },
    });
  const count = async (sql: string, params: unknown[] = []) =>
    Number((await t.db.query<{ n: string }>(sql, params))[0].n);
  const messagesIn = (sessionId: string) =>
    count(`SELECT count(*) AS n FROM messages WHERE session_id = $1`, [sessionId]);

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp({ ...llmEnv(fake), LIMIT_SESSIONS_FREE: '3' });
    user = await registerUser(t.http, 'idem');
    // Only the user of the 4xx test meets the session cap of 3; caps read the tier from the database.
    await t.db.query(`UPDATE users SET tier = 'enterprise' WHERE id = $1`, [user.id]);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  describe('POST /api/sessions', () => {
    it('replays the first response for the same key and creates nothing new', async () => {
      const k = key();
      const first = await createWith(user.token, k, 'Once');
      expect(first.status).toBe(201);
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      const before = await count(`SELECT count(*) AS n FROM sessions`);

      const again = await createWith(user.token, k, 'Once');
      expect(again.status).toBe(201);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await count(`SELECT count(*) AS n FROM sessions`)).toBe(before);
      expect(await count(`SELECT count(*) AS n FROM sessions WHERE id = $1`, [first.body.id])).toBe(
        1,
      );
    });

    it('does the work once when ten identical requests arrive at the same instant', async () => {
      const k = key();
      const before = await count(`SELECT count(*) AS n FROM sessions WHERE user_id = $1`, [
        user.id,
      ]);
      const race = await simultaneousPosts(
        t.baseUrl,
        user.token,
        Array.from({ length: 10 }, () => ({
          path: '/api/sessions',
          body: { title: 'Raced' },
          headers: { 'idempotency-key': k },
        })),
      );
      const results = await Promise.all(race.responses);
      race.close();
      const fresh = results.filter((r) => r.status === 201 && !r.headers['idempotent-replayed']);
      expect(fresh).toHaveLength(1);
      for (const r of results.filter((x) => x !== fresh[0])) {
        // Either still in progress (409) or already done (the same body replayed).
        expect(r.status === 409 || (r.status === 201 && r.body.id === fresh[0].body.id)).toBe(true);
      }
      expect(await count(`SELECT count(*) AS n FROM sessions WHERE user_id = $1`, [user.id])).toBe(
        before + 1,
      );
    });

    it('refuses the same key with another body with 422', async () => {
      const k = key();
      expect((await createWith(user.token, k, 'One')).status).toBe(201);
      const other = await createWith(user.token, k, 'Two');
      expect(other.status).toBe(422);
      expect(other.body.detail).toMatch(/Idempotency-Key/);
    });

    it('refuses a key longer than 255 characters with 422', async () => {
      const res = await createWith(user.token, 'k'.repeat(256), 'Long');
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/Idempotency-Key/);
      expect((await createWith(user.token, 'k'.repeat(255), 'Long')).status).toBe(201);
    });

    it('keeps the keys of different users apart', async () => {
      const other = await registerUser(t.http, 'idem2');
      const k = key();
      const mine = await createWith(user.token, k, 'Same');
      const theirs = await createWith(other.token, k, 'Same');
      expect(mine.status).toBe(201);
      expect(theirs.status).toBe(201);
      expect(theirs.headers.get('idempotent-replayed')).toBeNull();
      expect(theirs.body.id).not.toBe(mine.body.id);
    });

    it('replays a 4xx answer too, as the first request got it', async () => {
      const capped = await registerUser(t.http, 'idem3');
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push(await createSession(t.http, capped.token));
      }
      const k = key();
      const refused = await createWith(capped.token, k, 'Fourth');
      expect(refused.status).toBe(403);
      await t.http.delete(`/api/sessions/${ids[0]}`, { token: capped.token });

      const replay = await createWith(capped.token, k, 'Fourth');
      expect(replay.status).toBe(403);
      expect(replay.text).toBe(refused.text);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expect((await createWith(capped.token, key(), 'Fourth')).status).toBe(201);
    });
  });

  describe('POST /api/sessions/{id}/messages', () => {
    it('replays the stored assistant message without a second turn', async () => {
      const s = await createSession(t.http, user.token);
      const k = key();
      const first = await sendWith(user.token, s, k, 'Make a page');
      expect(first.status).toBe(200);
      expect(first.body.status).toBe('completed');
      const calls = fake.requests.length;
      expect(await messagesIn(s)).toBe(2);

      const again = await sendWith(user.token, s, k, 'Make a page');
      expect(again.status).toBe(200);
      expect(again.text).toBe(first.text);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(await messagesIn(s)).toBe(2);
      expect(fake.requests.length).toBe(calls);

      const other = await sendWith(user.token, s, k, 'Something else');
      expect(other.status).toBe(422);
      expect(await messagesIn(s)).toBe(2);
    });

    it('answers 409 while the first request is still running, then replays its answer', async () => {
      const s = await createSession(t.http, user.token);
      const k = key();
      const calls = fake.requests.length + 1;
      const first = sendWith(user.token, s, k, 'hold');
      await eventually(
        async () =>
          (await messagesIn(s)) === 2 && fake.requests.length === calls ? true : undefined,
        10_000,
        'the held turn to reach the provider',
      );

      const retry = await sendWith(user.token, s, k, 'hold');
      expect(retry.status).toBe(409);
      expect(retry.body.detail).toMatch(/Idempotency-Key/);
      expect(await messagesIn(s)).toBe(2);
      expect(fake.requests.length).toBe(calls);

      await t.http.post(`/api/sessions/${s}/messages/latest/cancel`, { token: user.token });
      const answered = await first;
      expect(answered.status).toBe(200);
      const replay = await sendWith(user.token, s, k, 'hold');
      expect(replay.status).toBe(200);
      expect(replay.text).toBe(answered.text);
      expect(await messagesIn(s)).toBe(2);
    });

    it('releases the key when the first attempt fails with a 5xx, so a retry does the work', async () => {
      const s = await createSession(t.http, user.token);
      const k = key();
      const failed = await sendWith(user.token, s, k, 'fail');
      expect(failed.status).toBe(502);

      const retried = await sendWith(user.token, s, k, 'fail');
      expect(retried.status).toBe(200);
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
      expect(retried.body.content).toBe('Recovered.');
      expect(await messagesIn(s)).toBe(4);
    });
  });
});
