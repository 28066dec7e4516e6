import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { healthy, startCheckout, stop, type Started } from '../support/checkout.js';
import { runCli } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import type { HttpClient } from '../support/http-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const ISO_UTC = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const PASSWORD = 'correct horse battery';

/** Registers a user under an exact name (the factory adds a random suffix). */
async function registerNamed(http: HttpClient, username: string): Promise<TestUser> {
  const email = `${username.toLowerCase()}@example.com`;
  const res = await http.post('/api/auth/register', {
    body: { username, email, password: PASSWORD },
  });
  expect(res.status).toBe(201);
  return {
    id: res.body.user.id,
    username,
    email,
    password: PASSWORD,
    token: res.body.access_token,
  };
}

async function me(http: HttpClient, token: string) {
  const res = await http.get('/api/auth/me', { token });
  expect(res.status).toBe(200);
  return res.body;
}

/** Runs `npm run admin:promote`'s compiled script as a child process, as an operator would. */
const promote = (args: string[], env: Record<string, string>, cwd?: string) =>
  runCli('admin-promote', args, env, cwd);

// Every row has all three values: a shorter row would make Jest pass `done` as the body.
const ROUTES: [string, string, unknown][] = [
  ['GET', '/api/admin/users', undefined],
  ['PATCH', '/api/admin/users/1', { tier: 'pro' }],
  ['GET', '/api/admin/usage', undefined],
];

describe('admin', () => {
  let t: TestApp;
  let boss: TestUser;
  let alice: TestUser;

  beforeAll(async () => {
    t = await startTestApp({ ADMIN_USERNAMES: 'Boss, chief' });
    boss = await registerNamed(t.http, 'boss');
    // Registering a listed name confers nothing; the operator makes the first admin.
    expect((await promote(['boss'], { DATABASE_URL: t.db.url })).code).toBe(0);
    alice = await registerUser(t.http, 'alice');
  });
  afterAll(() => t.close());

  const patchUser = (id: number | string, body: unknown, token = boss.token) =>
    t.http.patch(`/api/admin/users/${id}`, { token, body });

  describe('who is an admin', () => {
    it('makes a user promoted by the operator an admin', async () => {
      expect(await me(t.http, boss.token)).toMatchObject({ username: 'boss', role: 'admin' });
    });

    it('leaves everyone else a plain user on the free tier', async () => {
      expect(await me(t.http, alice.token)).toMatchObject({ role: 'user', tier: 'free' });
    });
  });

  describe('access', () => {
    it.each(ROUTES)(
      'answers %s %s with 401 {"detail"} without a token',
      async (method, path, body) => {
        const res = await t.http.request(method, path, { body });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it.each(ROUTES)(
      'answers %s %s with 403 {"detail"} for a user who is not an admin',
      async (method, path, body) => {
        const res = await t.http.request(method, path, { token: alice.token, body });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it('changed nothing while refusing the PATCH', async () => {
      const rows = await t.db.query(`SELECT tier FROM users WHERE id = 1`);
      expect(rows).toEqual([{ tier: 'free' }]);
    });
  });

  describe('GET /api/admin/users', () => {
    let extra: TestUser[];
    beforeAll(async () => {
      extra = [];
      for (const prefix of ['u1', 'u2', 'u3']) {
        extra.push(await registerUser(t.http, prefix));
      }
    });

    it('lists every user ordered by id with tier, role, disabled and created_at, and no secrets', async () => {
      const res = await t.http.get('/api/admin/users', { token: boss.token });
      expect(res.status).toBe(200);
      const ids = [boss, alice, ...extra].map((u) => u.id);
      expect(res.body.map((u: any) => u.id)).toEqual([...ids].sort((a, b) => a - b));
      expect(res.body[0]).toEqual({
        id: boss.id,
        username: 'boss',
        email: boss.email,
        tier: 'free',
        role: 'admin',
        disabled: false,
        created_at: expect.stringMatching(ISO_UTC),
      });
      expect(res.body[1]).toEqual({
        id: alice.id,
        username: alice.username,
        email: alice.email,
        tier: 'free',
        role: 'user',
        disabled: false,
        created_at: expect.stringMatching(ISO_UTC),
      });
      expect(res.text).not.toMatch(/password|argon2/i);
    });

    it('pages with ?limit= and ?offset=', async () => {
      const all = (await t.http.get('/api/admin/users', { token: boss.token })).body;
      const firstTwo = await t.http.get('/api/admin/users?limit=2', { token: boss.token });
      const middle = await t.http.get('/api/admin/users?limit=2&offset=1', { token: boss.token });
      const past = await t.http.get('/api/admin/users?offset=1000', { token: boss.token });
      const max = await t.http.get('/api/admin/users?limit=500', { token: boss.token });
      expect(firstTwo.body).toEqual(all.slice(0, 2));
      expect(middle.body).toEqual(all.slice(1, 3));
      expect(past.body).toEqual([]);
      expect(max.body).toEqual(all);
    });

    it.each([
      'limit=0',
      'limit=501',
      'limit=abc',
      'limit=1.5',
      'limit=-1',
      'limit=',
      'limit=2&limit=3',
      'offset=-1',
      'offset=x',
      'offset=99999999999',
    ])('refuses ?%s with 422 and a field error', async (query) => {
      const res = await t.http.get(`/api/admin/users?${query}`, { token: boss.token });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.any(String));
      const field = query.split('=')[0];
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });
  });

  describe('PATCH /api/admin/users/{id}', () => {
    it('changes the tier and answers with the updated user', async () => {
      const user = await registerUser(t.http, 'tiered');
      const res = await patchUser(user.id, { tier: 'pro' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: user.id,
        username: user.username,
        email: user.email,
        tier: 'pro',
        role: 'user',
        disabled: false,
        created_at: expect.stringMatching(ISO_UTC),
      });
      expect(await me(t.http, user.token)).toMatchObject({ tier: 'pro' });
      const both = await patchUser(user.id, { tier: 'enterprise', role: 'user' });
      expect(both.body).toMatchObject({ tier: 'enterprise', role: 'user' });
    });

    it("refuses a disabled user's existing token at once (401) and their login, until re-enabled", async () => {
      const user = await registerUser(t.http, 'disabled');
      expect((await t.http.get('/api/sessions', { token: user.token })).status).toBe(200);

      const off = await patchUser(user.id, { disabled: true });
      expect(off.status).toBe(200);
      expect(off.body).toMatchObject({ id: user.id, disabled: true });
      for (const path of ['/api/auth/me', '/api/sessions']) {
        const res = await t.http.get(path, { token: user.token });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
      const login = await t.http.post('/api/auth/login', {
        body: { username: user.username, password: user.password },
      });
      expect(login.status).toBe(401);

      const on = await patchUser(user.id, { disabled: false });
      expect(on.status).toBe(200);
      expect(on.body.disabled).toBe(false);
      expect((await t.http.get('/api/auth/me', { token: user.token })).status).toBe(200);
      const again = await t.http.post('/api/auth/login', {
        body: { username: user.username, password: user.password },
      });
      expect(again.status).toBe(200);
    });

    it("grants and revokes the admin role, effective on the user's existing token", async () => {
      const user = await registerUser(t.http, 'deputy');
      const grant = await patchUser(user.id, { role: 'admin' });
      expect(grant.status).toBe(200);
      expect(grant.body.role).toBe('admin');
      expect((await t.http.get('/api/admin/users', { token: user.token })).status).toBe(200);

      // Another admin may demote them (only demoting oneself is refused).
      const revoke = await patchUser(user.id, { role: 'user' });
      expect(revoke.status).toBe(200);
      expect(revoke.body.role).toBe('user');
      expect((await t.http.get('/api/admin/users', { token: user.token })).status).toBe(403);
    });

    it.each([
      ['disable themself', { disabled: true }],
      ['remove their own admin role', { role: 'user' }],
      ['disable themself while changing tier', { tier: 'pro', disabled: true }],
    ])('refuses an admin who tries to %s (400) and changes nothing', async (_label, body) => {
      const res = await patchUser(boss.id, body);
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: expect.any(String) });
      const rows = await t.db.query(`SELECT tier, role, disabled FROM users WHERE id = $1`, [
        boss.id,
      ]);
      expect(rows).toEqual([{ tier: 'free', role: 'admin', disabled: false }]);
      expect((await t.http.get('/api/admin/users', { token: boss.token })).status).toBe(200);
    });

    it('lets an admin change their own tier and restate their own access', async () => {
      const res = await patchUser(boss.id, { tier: 'enterprise', role: 'admin', disabled: false });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ tier: 'enterprise', role: 'admin', disabled: false });
      expect((await patchUser(boss.id, { tier: 'free' })).status).toBe(200);
    });

    it.each(['999999', 'abc', '0', '99999999999', '1.5'])(
      'answers 404 {"detail"} for unknown user id %s',
      async (id) => {
        const res = await patchUser(id, { tier: 'pro' });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it.each([
      ['an empty body', {}, 'body'],
      ['only unknown fields', { email: 'x@example.com' }, 'body'],
      ['an unknown tier', { tier: 'gold' }, 'tier'],
      ['a tier in other case', { tier: 'PRO' }, 'tier'],
      ['a numeric tier', { tier: 1 }, 'tier'],
      ['a null tier', { tier: null }, 'tier'],
      ['disabled as a string', { disabled: 'true' }, 'disabled'],
      ['disabled as a number', { disabled: 1 }, 'disabled'],
      ['disabled as null', { disabled: null }, 'disabled'],
      ['an unknown role', { role: 'root' }, 'role'],
      ['role as an array', { role: ['admin'] }, 'role'],
    ])('refuses %s with 422 and a field error', async (_label, body, field) => {
      const res = await patchUser(alice.id, body);
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.any(String));
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
      const rows = await t.db.query(`SELECT tier, role, disabled FROM users WHERE id = $1`, [
        alice.id,
      ]);
      expect(rows).toEqual([{ tier: 'free', role: 'user', disabled: false }]);
    });
  });

  describe('GET /api/admin/usage', () => {
    let busy: TestUser;
    let idle: TestUser;
    let sessionA: string;
    let sessionB: string;

    const insertMessage = (
      sessionId: string,
      role: 'user' | 'assistant',
      tokens: [number | null, number | null] = [null, null],
    ) =>
      t.db.query(
        `INSERT INTO messages (session_id, role, content, status, prompt_tokens, completion_tokens)
         VALUES ($1, $2, 'x', 'completed', $3, $4)`,
        [sessionId, role, tokens[0], tokens[1]],
      );

    beforeAll(async () => {
      busy = await registerUser(t.http, 'busy');
      idle = await registerUser(t.http, 'idle');
      sessionA = await createSession(t.http, busy.token, 'A');
      sessionB = await createSession(t.http, busy.token, 'B');
      await createSession(t.http, idle.token, 'empty');
      await writeFile(t.http, busy.token, sessionA, 'index.html', '<h1>hello</h1>'); // 14 bytes
      await writeFile(t.http, busy.token, sessionA, 'css/site.css', 'é'.repeat(10)); // 20 bytes
      await writeFile(t.http, busy.token, sessionA, 'index.html', 'hi'); // replaces 14 with 2
      await writeFile(t.http, busy.token, sessionB, 'app.js', 'x'.repeat(100)); // 100 bytes

      await insertMessage(sessionA, 'user');
      await insertMessage(sessionA, 'assistant', [120, 30]);
      await insertMessage(sessionA, 'user');
      await insertMessage(sessionA, 'assistant', [null, null]);
      await insertMessage(sessionB, 'user');
      await insertMessage(sessionB, 'assistant', [1000, null]);
      await insertMessage(sessionB, 'assistant', [5, 7]);
      // Token counts on a user message are not a run's usage and are not summed.
      await insertMessage(sessionB, 'user', [999, 999]);
    });

    it('reports per user messages, runs, token sums and sandbox bytes as JSON numbers', async () => {
      const res = await t.http.get('/api/admin/usage', { token: boss.token });
      expect(res.status).toBe(200);
      const byId = new Map<number, any>(res.body.map((r: any) => [r.user_id, r]));
      expect(byId.get(busy.id)).toEqual({
        user_id: busy.id,
        username: busy.username,
        tier: 'free',
        messages: 8,
        runs: 4,
        prompt_tokens: 1125,
        completion_tokens: 37,
        sandbox_bytes: 122,
      });
      expect(byId.get(idle.id)).toEqual({
        user_id: idle.id,
        username: idle.username,
        tier: 'free',
        messages: 0,
        runs: 0,
        prompt_tokens: 0,
        completion_tokens: 0,
        sandbox_bytes: 0,
      });
    });

    it('agrees with the sandbox totals the files API reports', async () => {
      const totals = await Promise.all(
        [sessionA, sessionB].map(
          async (id) =>
            (await t.http.get(`/api/sessions/${id}/sandbox/files`, { token: busy.token })).body
              .total_size as number,
        ),
      );
      const usage = (await t.http.get('/api/admin/usage', { token: boss.token })).body;
      const row = usage.find((r: any) => r.user_id === busy.id);
      expect(row.sandbox_bytes).toBe(totals[0] + totals[1]);
    });

    it('lists every user once, ordered by id, and pages like the user list', async () => {
      const users = (await t.http.get('/api/admin/users', { token: boss.token })).body;
      const usage = await t.http.get('/api/admin/usage', { token: boss.token });
      expect(usage.body.map((r: any) => r.user_id)).toEqual(users.map((u: any) => u.id));
      const page = await t.http.get('/api/admin/usage?limit=1&offset=1', { token: boss.token });
      expect(page.body).toEqual([usage.body[1]]);
      const bad = await t.http.get('/api/admin/usage?limit=0', { token: boss.token });
      expect(bad.status).toBe(422);
    });

    it('follows a tier change', async () => {
      expect((await patchUser(busy.id, { tier: 'enterprise' })).status).toBe(200);
      const usage = (await t.http.get('/api/admin/usage', { token: boss.token })).body;
      expect(usage.find((r: any) => r.user_id === busy.id).tier).toBe('enterprise');
    });
  });

  describe('npm run admin:promote', () => {
    it('promotes an existing user, matching the name case-insensitively, and says so', async () => {
      const user = await registerUser(t.http, 'promo');
      expect((await t.http.get('/api/admin/users', { token: user.token })).status).toBe(403);

      const run = await promote([user.username.toUpperCase()], { DATABASE_URL: t.db.url });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`promoted ${user.username} (id ${user.id}) to admin`);
      expect(await me(t.http, user.token)).toMatchObject({ role: 'admin' });
      expect((await t.http.get('/api/admin/users', { token: user.token })).status).toBe(200);

      const again = await promote([user.username], { DATABASE_URL: t.db.url });
      expect(again.code).toBe(0);
      expect(again.stdout).toContain('already an admin');
    });

    it('fails with exit code 1 and a clear message for an unknown user, changing nothing', async () => {
      const before = await t.db.query(`SELECT id, role FROM users ORDER BY id`);
      const run = await promote(['nobody_here'], { DATABASE_URL: t.db.url });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('no user named "nobody_here"');
      expect(await t.db.query(`SELECT id, role FROM users ORDER BY id`)).toEqual(before);
    });

    it('prints its usage and fails without a username', async () => {
      const noName = await promote([], { DATABASE_URL: t.db.url });
      expect(noName.code).toBe(2);
      expect(noName.stderr).toContain('usage:');
    });
  });

  describe('npm run admin:create', () => {
    const create = (env: Record<string, string>) =>
      runCli('admin-create', [], { DATABASE_URL: t.db.url, ...env });

    it('creates an admin who can log in with that password and use the admin API', async () => {
      const run = await create({
        ADMIN_USERNAME: 'Founder',
        ADMIN_EMAIL: 'founder@example.com',
        ADMIN_PASSWORD: PASSWORD,
      });
      expect(run).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toMatch(/^created admin Founder \(id \d+\) in DATABASE_URL$/m);
      const login = await t.http.post('/api/auth/login', {
        body: { username: 'founder', password: PASSWORD },
      });
      expect(login.status).toBe(200);
      const token = login.body.access_token as string;
      expect(await me(t.http, token)).toMatchObject({ username: 'Founder', role: 'admin' });
      expect((await t.http.get('/api/admin/users', { token })).status).toBe(200);
      const [row] = await t.db.query<{ password_hash: string }>(
        `SELECT password_hash FROM users WHERE username = 'Founder'`,
      );
      expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    });

    it('refuses an existing name (any case) with exit code 1, pointing at admin:promote, changing nothing', async () => {
      const before = await t.db.query(
        `SELECT id, username, role, password_hash FROM users ORDER BY id`,
      );
      // alice's name has a random suffix; reuse it exactly, in upper case.
      const taken = await create({
        ADMIN_USERNAME: alice.username.toUpperCase(),
        ADMIN_EMAIL: 'fresh2@example.com',
        ADMIN_PASSWORD: 'another password',
      });
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`a user named "${alice.username}" already exists`);
      expect(taken.stderr).toContain(`npm run admin:promote -- ${alice.username}`);
      const sameEmail = await create({
        ADMIN_USERNAME: 'new_name',
        ADMIN_EMAIL: alice.email.toUpperCase(),
        ADMIN_PASSWORD: 'another password',
      });
      expect(sameEmail.code).toBe(1);
      expect(sameEmail.stderr).toContain('already registered');
      const after = await t.db.query(
        `SELECT id, username, role, password_hash FROM users ORDER BY id`,
      );
      expect(after).toEqual(before);
    });

    it('applies the rules of registration (exit code 2, nothing written)', async () => {
      const before = await t.db.query(`SELECT count(*)::int AS n FROM users`);
      const short = await create({
        ADMIN_USERNAME: 'shorty',
        ADMIN_EMAIL: 'shorty@example.com',
        ADMIN_PASSWORD: '12345',
      });
      expect(short.code).toBe(2);
      expect(short.stderr).toContain('password must be longer than or equal to 6 characters');
      const badName = await create({
        ADMIN_USERNAME: 'no spaces',
        ADMIN_EMAIL: 'x@example.com',
        ADMIN_PASSWORD: PASSWORD,
      });
      expect(badName.code).toBe(2);
      expect(badName.stderr).toContain('username may contain only letters');
      expect(await t.db.query(`SELECT count(*)::int AS n FROM users`)).toEqual(before);
    });

    it('prints its usage and fails when a value is missing and stdin is not a terminal', async () => {
      const run = await create({ ADMIN_USERNAME: 'half', ADMIN_EMAIL: 'half@example.com' });
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('usage: ADMIN_USERNAME=');
    });
  });
});

describe('admin: registration never confers a role', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ ADMIN_USERNAMES: 'Boss, chief' });
  });
  afterAll(() => t.close());

  it('leaves a user who registers under a name in ADMIN_USERNAMES a plain user, whatever the case', async () => {
    for (const name of ['boss', 'CHIEF']) {
      const user = await registerNamed(t.http, name);
      expect(await me(t.http, user.token)).toMatchObject({ username: name, role: 'user' });
      expect((await t.http.get('/api/admin/users', { token: user.token })).status).toBe(403);
    }
    expect(await t.db.query(`SELECT role FROM users ORDER BY id`)).toEqual([
      { role: 'user' },
      { role: 'user' },
    ]);
  });
});

describe('admin: the last active admin', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({});
  });
  afterAll(() => t.close());

  const makeAdmins = async () => {
    const a = await registerUser(t.http, 'a');
    const b = await registerUser(t.http, 'b');
    await t.db.query(`UPDATE users SET role = 'admin' WHERE id = ANY($1)`, [[a.id, b.id]]);
    return [a, b];
  };
  const activeAdmins = async () =>
    (await t.db.query(`SELECT id FROM users WHERE role = 'admin' AND NOT disabled`)).map(
      (r) => r.id,
    );

  it('never leaves zero when two admins demote or disable each other at once: one wins, the other gets 409', async () => {
    const seen: number[] = [];
    for (const change of [
      { role: 'user' },
      { disabled: true },
      { role: 'user' },
      { disabled: true },
      { role: 'user' },
      { disabled: true },
    ]) {
      const [a, b] = await makeAdmins();
      const [ab, ba] = await Promise.all([
        t.http.patch(`/api/admin/users/${b.id}`, { token: a.token, body: change }),
        t.http.patch(`/api/admin/users/${a.id}`, { token: b.token, body: change }),
      ]);
      const statuses = [ab.status, ba.status].sort();
      seen.push(...statuses);
      // The loser either passed the admin check before the winner committed (409 from the
      // last-admin rule) or after it (403: no longer an admin).
      expect([
        [200, 409],
        [200, 403],
      ]).toContainEqual(statuses);
      const loser = ab.status === 200 ? ba : ab;
      expect(loser.body).toEqual({ detail: expect.any(String) });
      expect(await activeAdmins()).toHaveLength(1);
      // Next round starts with no admin again.
      await t.db.query(`DELETE FROM users WHERE id = ANY($1)`, [[a.id, b.id]]);
    }
    expect(seen).toContain(409);
  });
});

describe('admin: ADMIN_USERNAMES at start-up', () => {
  let db: TestDatabase;
  const apps: TestApp[] = [];
  const start = async (env: Record<string, string>) => {
    const app = await startTestApp(env, db);
    apps.push(app);
    return app;
  };
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    for (const app of apps) {
      await app.close();
    }
    await db.drop();
  });

  it('promotes users who already exist when the service starts with their names listed', async () => {
    const first = await start({});
    const early = await registerNamed(first.http, 'Early_Bird');
    const other = await registerUser(first.http, 'other');
    expect(await me(first.http, early.token)).toMatchObject({ role: 'user' });
    await first.close();

    const second = await start({ ADMIN_USERNAMES: 'early_bird,ghost' });
    expect(await me(second.http, early.token)).toMatchObject({ role: 'admin' });
    expect(await me(second.http, other.token)).toMatchObject({ role: 'user' });
    expect((await second.http.get('/api/admin/users', { token: early.token })).status).toBe(200);
    const rows = await db.query(`SELECT username, role FROM users ORDER BY id`);
    expect(rows).toEqual([
      { username: 'Early_Bird', role: 'admin' },
      { username: other.username, role: 'user' },
    ]);
  });

  it('ignores the list once an admin exists, so a demotion survives a restart', async () => {
    const second = apps[apps.length - 1];
    const login = async (http: HttpClient, username: string) =>
      (await http.post('/api/auth/login', { body: { username, password: PASSWORD } })).body
        .access_token as string;
    const early = await login(second.http, 'early_bird');
    const deputy = await registerNamed(second.http, 'deputy');
    const up = await second.http.patch(`/api/admin/users/${deputy.id}`, {
      token: early,
      body: { role: 'admin' },
    });
    expect(up.status).toBe(200);
    const [{ id: earlyId }] = await db.query<{ id: number }>(
      `SELECT id FROM users WHERE username = 'Early_Bird'`,
    );
    const down = await second.http.patch(`/api/admin/users/${earlyId}`, {
      token: deputy.token,
      body: { role: 'user' },
    });
    expect(down.status).toBe(200);
    await second.close();

    const third = await start({ ADMIN_USERNAMES: 'early_bird' });
    expect(await me(third.http, await login(third.http, 'early_bird'))).toMatchObject({
      role: 'user',
    });
    expect(await db.query(`SELECT username, role FROM users WHERE role = 'admin'`)).toEqual([
      { username: 'deputy', role: 'admin' },
    ]);
  });
});

describe('admin: tiers and rate limits (free 3, pro 8 requests per window)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      ADMIN_USERNAMES: 'boss',
      THROTTLE_LIMIT_FREE: '3',
      THROTTLE_LIMIT_PRO: '8',
      THROTTLE_TTL_MS: '60000',
    });
  });
  afterAll(() => t.close());

  const statuses = async (token: string, n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      out.push((await t.http.get('/api/sessions', { token })).status);
    }
    return out;
  };

  it("applies the new tier's limit from the next request after an upgrade", async () => {
    const boss = await registerNamed(t.http, 'boss');
    expect((await promote(['boss'], { DATABASE_URL: t.db.url })).code).toBe(0);
    // The admin lifts themself out of the free limit with their first request.
    const self = await t.http.patch(`/api/admin/users/${boss.id}`, {
      token: boss.token,
      body: { tier: 'enterprise' },
    });
    expect(self.status).toBe(200);

    const free = await registerUser(t.http, 'free');
    const upgraded = await registerUser(t.http, 'upgraded');
    expect(await statuses(free.token, 4)).toEqual([200, 200, 200, 429]);
    expect(await statuses(upgraded.token, 3)).toEqual([200, 200, 200]);

    const res = await t.http.patch(`/api/admin/users/${upgraded.id}`, {
      token: boss.token,
      body: { tier: 'pro' },
    });
    expect(res.status).toBe(200);
    // The same window's count goes on: 3 already used, 5 more allowed at the pro limit of 8.
    expect(await statuses(upgraded.token, 6)).toEqual([200, 200, 200, 200, 200, 429]);
    expect((await t.http.get('/api/sessions', { token: free.token })).status).toBe(429);
  });
});

describe('admin: the CLIs against the embedded database of DATA_DIR (DATABASE_URL unset)', () => {
  let dir: string;
  let app: Started | undefined;
  const env = () => ({ DATA_DIR: join(dir, '.data') });
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'aeio-cli-'));
    chmodSync(dir, 0o755);
  });
  afterAll(async () => {
    if (app) {
      await stop(app);
    }
    rmSync(dir, { recursive: true, force: true });
  });
  const loginAs = async (http: HttpClient, username: string) => {
    const res = await http.post('/api/auth/login', { body: { username, password: PASSWORD } });
    expect(res.status).toBe(200);
    return res.body.access_token as string;
  };

  it('admin:create starts the embedded server itself when none runs, and the service then finds the admin', async () => {
    const run = await runCli(
      'admin-create',
      [],
      {
        ...env(),
        ADMIN_USERNAME: 'first',
        ADMIN_EMAIL: 'first@example.com',
        ADMIN_PASSWORD: PASSWORD,
      },
      dir,
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(
      `created admin first (id 1) in the embedded PostgreSQL in ${join(dir, '.data', 'postgres')}`,
    );
    // It stopped the server it started: the service can start on the same folder.
    app = await startCheckout(dir, env(), undefined, resolve('dist/main.js'));
    await healthy(app);
    const token = await loginAs(app.http, 'first');
    expect((await app.http.get('/api/admin/users', { token })).status).toBe(200);
  });

  it('admin:create and admin:promote work while the service runs on that folder, through its server', async () => {
    const running = app!;
    const pgPid = readFileSync(
      join(dir, '.data', 'postgres', 'cluster', 'postmaster.pid'),
      'utf8',
    ).split('\n')[0];
    const run = await runCli(
      'admin-create',
      [],
      {
        ...env(),
        ADMIN_USERNAME: 'second',
        ADMIN_EMAIL: 'second@example.com',
        ADMIN_PASSWORD: PASSWORD,
      },
      dir,
    );
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`in the running embedded PostgreSQL`);
    expect(run.stdout).toContain(`(PID ${pgPid})`);
    const second = await loginAs(running.http, 'second');
    expect((await running.http.get('/api/admin/users', { token: second })).status).toBe(200);

    const plain = await running.http.post('/api/auth/register', {
      body: { username: 'plain', email: 'plain@example.com', password: PASSWORD },
    });
    expect(plain.status).toBe(201);
    const promoted = await runCli('admin-promote', ['plain'], env(), dir);
    expect(promoted).toMatchObject({ code: 0, stderr: '' });
    expect(promoted.stdout).toContain('promoted plain');
    const token = plain.body.access_token as string;
    expect((await running.http.get('/api/admin/users', { token })).status).toBe(200);
  });
});
