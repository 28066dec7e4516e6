import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const SESSION_ID = /^[0-9a-f]{32}$/;
const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const unknownId = () => randomBytes(16).toString('hex');

describe('sessions', () => {
  let t: TestApp;
  let alice: TestUser;
  beforeAll(async () => {
    t = await startTestApp();
    alice = await registerUser(t.http, 'alice');
  });
  afterAll(() => t.close());

  describe('POST /api/sessions', () => {
    it('creates a session with a 32-hex id and ISO-8601 UTC timestamps (201)', async () => {
      const res = await t.http.post('/api/sessions', {
        token: alice.token,
        body: { title: 'Landing page' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(SESSION_ID),
        title: 'Landing page',
        model: null,
        created_at: expect.stringMatching(ISO_UTC),
        updated_at: expect.stringMatching(ISO_UTC),
      });
      const age = Date.now() - Date.parse(res.body.created_at);
      expect(age).toBeGreaterThanOrEqual(-5_000);
      expect(age).toBeLessThan(60_000);
    });

    it('gives every new session a distinct id', async () => {
      const ids = await Promise.all(
        [1, 2, 3, 4, 5].map((n) => createSession(t.http, alice.token, `Site ${n}`)),
      );
      expect(new Set(ids).size).toBe(5);
    });

    it.each([
      ['a missing title', {}],
      ['a numeric title', { title: 42 }],
      ['a null title', { title: null }],
      ['an array title', { title: ['My site'] }],
      ['an empty title', { title: '' }],
    ])('refuses %s with 422 and a field error on title', async (_label, body) => {
      const res = await t.http.post('/api/sessions', { token: alice.token, body });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.any(String));
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'title' })]),
      );
    });

    it('creates nothing when the body fails validation', async () => {
      const user = await registerUser(t.http, 'empty');
      await t.http.post('/api/sessions', { token: user.token, body: { title: '' } });
      const rows = await t.db.query(`SELECT id FROM sessions WHERE user_id = $1`, [user.id]);
      expect(rows).toEqual([]);
    });
  });

  describe('GET /api/sessions', () => {
    it('returns an empty list to a user with no sessions', async () => {
      const user = await registerUser(t.http, 'fresh');
      const res = await t.http.get('/api/sessions', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([]);
    });

    it('lists the sessions most recently updated first', async () => {
      const user = await registerUser(t.http, 'lister');
      const first = await createSession(t.http, user.token, 'first');
      await sleep(15);
      const second = await createSession(t.http, user.token, 'second');
      await sleep(15);
      const third = await createSession(t.http, user.token, 'third');
      const res = await t.http.get('/api/sessions', { token: user.token });
      expect(res.status).toBe(200);
      expect((res.body as { id: string }[]).map((s) => s.id)).toEqual([third, second, first]);
      for (const s of res.body) {
        expect(s).toEqual({
          id: expect.stringMatching(SESSION_ID),
          title: expect.any(String),
          model: null,
          created_at: expect.stringMatching(ISO_UTC),
          updated_at: expect.stringMatching(ISO_UTC),
        });
      }
    });

    it("shows a user only their own sessions, never another user's", async () => {
      const bob = await registerUser(t.http, 'bob');
      const carol = await registerUser(t.http, 'carol');
      const bobs = await createSession(t.http, bob.token, 'bob only');
      const carols = await createSession(t.http, carol.token, 'carol only');
      const forBob = await t.http.get('/api/sessions', { token: bob.token });
      const forCarol = await t.http.get('/api/sessions', { token: carol.token });
      expect((forBob.body as { id: string }[]).map((s) => s.id)).toEqual([bobs]);
      expect((forCarol.body as { id: string }[]).map((s) => s.id)).toEqual([carols]);
    });
  });

  describe('GET /api/sessions/:id', () => {
    it('returns the session exactly as it was created', async () => {
      const created = await t.http.post('/api/sessions', {
        token: alice.token,
        body: { title: 'Portfolio' },
      });
      const res = await t.http.get(`/api/sessions/${created.body.id}`, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual(created.body);
    });
  });

  describe('PATCH /api/sessions/:id', () => {
    it('renames the session, keeps id and created_at, and moves updated_at forward', async () => {
      const created = await t.http.post('/api/sessions', {
        token: alice.token,
        body: { title: 'Old name' },
      });
      await sleep(20);
      const res = await t.http.patch(`/api/sessions/${created.body.id}`, {
        token: alice.token,
        body: { title: 'New name' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: created.body.id,
        title: 'New name',
        model: null,
        created_at: created.body.created_at,
        updated_at: expect.stringMatching(ISO_UTC),
      });
      expect(Date.parse(res.body.updated_at)).toBeGreaterThan(Date.parse(created.body.updated_at));
      const fetched = await t.http.get(`/api/sessions/${created.body.id}`, { token: alice.token });
      expect(fetched.body).toEqual(res.body);
    });

    it('brings a renamed session to the top of the list', async () => {
      const user = await registerUser(t.http, 'renamer');
      const older = await createSession(t.http, user.token, 'older');
      await sleep(15);
      const newer = await createSession(t.http, user.token, 'newer');
      const before = await t.http.get('/api/sessions', { token: user.token });
      expect((before.body as { id: string }[]).map((s) => s.id)).toEqual([newer, older]);
      await sleep(15);
      const renamed = await t.http.patch(`/api/sessions/${older}`, {
        token: user.token,
        body: { title: 'renamed' },
      });
      expect(renamed.status).toBe(200);
      const after = await t.http.get('/api/sessions', { token: user.token });
      expect((after.body as { id: string; title: string }[]).map((s) => [s.id, s.title])).toEqual([
        [older, 'renamed'],
        [newer, 'newer'],
      ]);
    });

    it.each([
      ['a missing title', {}],
      ['a numeric title', { title: 7 }],
      ['an empty title', { title: '' }],
    ])('refuses %s with 422 and leaves the title alone', async (_label, body) => {
      const id = await createSession(t.http, alice.token, 'Keep me');
      const res = await t.http.patch(`/api/sessions/${id}`, { token: alice.token, body });
      expect(res.status).toBe(422);
      expect(res.body.errors).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: 'title' })]),
      );
      const fetched = await t.http.get(`/api/sessions/${id}`, { token: alice.token });
      expect(fetched.body.title).toBe('Keep me');
    });
  });

  describe('DELETE /api/sessions/:id', () => {
    it('deletes the session with its files, messages and execution steps', async () => {
      const id = await createSession(t.http, alice.token, 'Doomed');
      await writeFile(t.http, alice.token, id, 'index.html', '<h1>hi</h1>');
      await writeFile(t.http, alice.token, id, 'css/site.css', 'body { color: red }');
      await t.db.query(
        `INSERT INTO messages (session_id, role, content) VALUES ($1, 'user', 'make a site')`,
        [id],
      );
      const [assistant] = await t.db.query<{ id: number }>(
        `INSERT INTO messages (session_id, role, content, status) VALUES ($1, 'assistant', 'done', 'completed')
         RETURNING id`,
        [id],
      );
      await t.db.query(
        `INSERT INTO execution_steps (session_id, message_id, iteration, tool_name, tool_arguments, status, progress)
         VALUES ($1, $2, 1, 'write_file', '{"filename": "index.html"}', 'completed', 100)`,
        [id, assistant.id],
      );
      const counts = async () =>
        (
          await t.db.query<{ files: number; messages: number; steps: number }>(
            `SELECT (SELECT count(*)::int FROM sandbox_files WHERE session_id = $1) AS files,
                    (SELECT count(*)::int FROM messages WHERE session_id = $1) AS messages,
                    (SELECT count(*)::int FROM execution_steps WHERE session_id = $1) AS steps`,
            [id],
          )
        )[0];
      expect(await counts()).toEqual({ files: 2, messages: 2, steps: 1 });

      const res = await t.http.delete(`/api/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ message: 'Session deleted successfully' });

      expect(await counts()).toEqual({ files: 0, messages: 0, steps: 0 });
      expect(await t.db.query(`SELECT id FROM sessions WHERE id = $1`, [id])).toEqual([]);
    });

    it('answers 404 for the deleted session afterwards and drops it from the list', async () => {
      const id = await createSession(t.http, alice.token, 'Short-lived');
      expect((await t.http.delete(`/api/sessions/${id}`, { token: alice.token })).status).toBe(200);
      const get = await t.http.get(`/api/sessions/${id}`, { token: alice.token });
      expect(get.status).toBe(404);
      expect(get.body).toEqual({ detail: expect.any(String) });
      const again = await t.http.delete(`/api/sessions/${id}`, { token: alice.token });
      expect(again.status).toBe(404);
      expect(again.body).toEqual({ detail: expect.any(String) });
      const list = await t.http.get('/api/sessions', { token: alice.token });
      expect((list.body as { id: string }[]).map((s) => s.id)).not.toContain(id);
    });

    it("leaves the user's other sessions untouched", async () => {
      const user = await registerUser(t.http, 'keeper');
      const kept = await createSession(t.http, user.token, 'kept');
      await writeFile(t.http, user.token, kept, 'index.html', '<p>kept</p>');
      const gone = await createSession(t.http, user.token, 'gone');
      await writeFile(t.http, user.token, gone, 'index.html', '<p>gone</p>');
      expect((await t.http.delete(`/api/sessions/${gone}`, { token: user.token })).status).toBe(
        200,
      );
      const list = await t.http.get('/api/sessions', { token: user.token });
      expect((list.body as { id: string }[]).map((s) => s.id)).toEqual([kept]);
      const file = await t.http.get(`/api/sessions/${kept}/sandbox/files/index.html`, {
        token: user.token,
      });
      expect(file.status).toBe(200);
      expect(file.body.content).toBe('<p>kept</p>');
    });
  });

  describe('unknown and malformed ids', () => {
    const malformed = [
      ['an unknown 32-hex id', unknownId()],
      ['a short id', 'abc123'],
      ['an upper-case hex id', 'ABCDEF0123456789ABCDEF0123456789'],
      ['a 33-char id', 'a'.repeat(33)],
      ['a non-hex id', 'z'.repeat(32)],
      ['an id with SQL in it', encodeURIComponent("' OR '1'='1")],
    ];

    it.each(malformed)('answers 404 {"detail"} to GET with %s', async (_label, id) => {
      const res = await t.http.get(`/api/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it.each(malformed)('answers 404 {"detail"} to PATCH with %s', async (_label, id) => {
      const res = await t.http.patch(`/api/sessions/${id}`, {
        token: alice.token,
        body: { title: 'x' },
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it.each(malformed)('answers 404 {"detail"} to DELETE with %s', async (_label, id) => {
      const res = await t.http.delete(`/api/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('without a token', () => {
    let id: string;
    beforeAll(async () => {
      id = await createSession(t.http, alice.token, 'Guarded');
    });

    it.each([
      ['GET', '/api/sessions', undefined],
      ['POST', '/api/sessions', { title: 'sneaky' }],
      ['GET', '/api/sessions/:id', undefined],
      ['PATCH', '/api/sessions/:id', { title: 'sneaky' }],
      ['DELETE', '/api/sessions/:id', undefined],
    ])('answers 401 {"detail"} to %s %s', async (method, path, body) => {
      const res = await t.http.request(method, path.replace(':id', id), { body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('changes nothing when refused', async () => {
      const res = await t.http.get(`/api/sessions/${id}`, { token: alice.token });
      expect(res.status).toBe(200);
      expect(res.body.title).toBe('Guarded');
      const sneaky = await t.db.query(`SELECT id FROM sessions WHERE title = 'sneaky'`);
      expect(sneaky).toEqual([]);
    });
  });
});
