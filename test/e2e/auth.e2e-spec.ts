import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import jwt from 'jsonwebtoken';
import { registerUser } from '../support/factories.js';
import { startTestApp, TEST_JWT_SECRET, type TestApp } from '../support/test-app.js';

describe('auth', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  describe('POST /api/auth/register', () => {
    it('creates a user and returns a bearer token with the user (201)', async () => {
      const res = await t.http.post('/api/auth/register', {
        body: { username: 'johndoe', email: 'john@example.com', password: 'securepass123' },
      });
      expect(res.status).toBe(201);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        user: { id: expect.any(Number), username: 'johndoe', email: 'john@example.com' },
      });
      expect(Number.isInteger(res.body.user.id)).toBe(true);
    });

    it('stores only a slow salted argon2id hash of the password', async () => {
      const rows = await t.db.query<{ password_hash: string }>(
        `SELECT password_hash FROM users WHERE username = 'johndoe'`,
      );
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(rows[0].password_hash).not.toContain('securepass123');
    });

    // One answer whichever is taken, so register cannot be used to find out who has an account.
    it.each([
      ['same username', { username: 'johndoe', email: 'other@example.com' }],
      ['username in other case', { username: 'JohnDoe', email: 'other2@example.com' }],
      ['email in other case', { username: 'someone', email: 'JOHN@example.com' }],
      ['both', { username: 'johndoe', email: 'john@example.com' }],
    ])('refuses a taken name: %s (400), without saying which', async (_label, fields) => {
      const res = await t.http.post('/api/auth/register', {
        body: { ...fields, password: 'whatever1' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ detail: 'Username or email already registered' });
    });

    it.each([
      ['username too short', { username: 'ab' }, 'username'],
      ['username too long', { username: 'a'.repeat(51) }, 'username'],
      ['username with a bad char', { username: 'bad name!' }, 'username'],
      ['username as a number', { username: 12345 }, 'username'],
      ['missing username', { username: undefined }, 'username'],
      ['invalid email', { email: 'not-an-email' }, 'email'],
      ['email as an array', { email: ['a@b.co'] }, 'email'],
      ['password too short', { password: '12345' }, 'password'],
      ['password too long', { password: 'x'.repeat(129) }, 'password'],
      ['password as a number', { password: 12345678 }, 'password'],
    ])('refuses %s with 422 and a field error', async (_label, override, field) => {
      const body = {
        username: 'validname',
        email: 'valid@example.com',
        password: 'validpass',
        ...override,
      };
      const res = await t.http.post('/api/auth/register', { body });
      expect(res.status).toBe(422);
      expect(typeof res.body.detail).toBe('string');
      expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('accepts the boundary lengths (3/50-char username, 6/128-char password)', async () => {
      const a = await t.http.post('/api/auth/register', {
        body: { username: 'abc', email: 'abc@example.com', password: '123456' },
      });
      const b = await t.http.post('/api/auth/register', {
        body: { username: 'b'.repeat(50), email: 'b@example.com', password: 'p'.repeat(128) },
      });
      expect([a.status, b.status]).toEqual([201, 201]);
    });
  });

  describe('POST /api/auth/login', () => {
    it('logs in by username (200, same shape as register)', async () => {
      const res = await t.http.post('/api/auth/login', {
        body: { username: 'johndoe', password: 'securepass123' },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        user: { id: expect.any(Number), username: 'johndoe', email: 'john@example.com' },
      });
    });

    it('logs in by email, case-insensitively', async () => {
      const res = await t.http.post('/api/auth/login', {
        body: { username: 'John@Example.com', password: 'securepass123' },
      });
      expect(res.status).toBe(200);
      expect(res.body.user.username).toBe('johndoe');
    });

    it('answers an unknown user and a wrong password with the identical 401', async () => {
      const wrong = await t.http.post('/api/auth/login', {
        body: { username: 'johndoe', password: 'nope-nope' },
      });
      const unknown = await t.http.post('/api/auth/login', {
        body: { username: 'ghost', password: 'nope-nope' },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body).toEqual({ detail: expect.any(String) });
    });

    it.each([
      ['missing password', { username: 'johndoe' }],
      ['missing username', { password: 'securepass123' }],
      ['password as a number', { username: 'johndoe', password: 123456 }],
      ['username as an object', { username: { $ne: null }, password: 'x' }],
    ])('refuses %s with 422', async (_label, body) => {
      const res = await t.http.post('/api/auth/login', { body });
      expect(res.status).toBe(422);
      expect(res.body.detail).toEqual(expect.any(String));
    });
  });

  describe('GET /api/auth/me', () => {
    it('returns the user with created_at in ISO-8601 UTC', async () => {
      const user = await registerUser(t.http);
      const res = await t.http.get('/api/auth/me', { token: user.token });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: user.id, username: user.username, email: user.email });
      expect(res.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    });

    it('answers 401 {"detail"} without a token', async () => {
      const res = await t.http.get('/api/auth/me');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('answers 401 to a malformed token and to a token signed with another secret', async () => {
      const forged = jwt.sign({ sub: '1', typ: 'access' }, 'another-secret-another-secret-0000', {
        algorithm: 'HS256',
      });
      for (const token of ['not-a-jwt', forged]) {
        const res = await t.http.get('/api/auth/me', { token });
        expect(res.status).toBe(401);
      }
    });

    it('answers 401 to an alg=none token and to one signed with another HMAC algorithm', async () => {
      const user = await registerUser(t.http);
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ sub: String(user.id), typ: 'access' })).toString(
        'base64url',
      );
      const none = `${header}.${payload}.`;
      const hs512 = jwt.sign({ sub: String(user.id), typ: 'access' }, TEST_JWT_SECRET, {
        algorithm: 'HS512',
      });
      for (const token of [none, hs512]) {
        expect((await t.http.get('/api/auth/me', { token })).status).toBe(401);
      }
    });

    it('answers 401 to an expired token', async () => {
      const user = await registerUser(t.http);
      const expired = jwt.sign(
        { sub: String(user.id), typ: 'access', exp: Math.floor(Date.now() / 1000) - 10 },
        TEST_JWT_SECRET,
        { algorithm: 'HS256' },
      );
      expect((await t.http.get('/api/auth/me', { token: expired })).status).toBe(401);
    });

    it('ignores ?token= on API routes (401)', async () => {
      const user = await registerUser(t.http);
      const res = await t.http.get(`/api/auth/me?token=${user.token}`);
      expect(res.status).toBe(401);
    });

    it('issues HS256 tokens whose lifetime is JWT_EXPIRES_IN (30 minutes by default)', async () => {
      const user = await registerUser(t.http);
      const decoded = jwt.decode(user.token, { complete: true }) as jwt.Jwt;
      const claims = decoded.payload as jwt.JwtPayload;
      expect(decoded.header.alg).toBe('HS256');
      expect(claims.exp! - claims.iat!).toBe(30 * 60);
    });
  });

  describe('with JWT_EXPIRES_IN=2s', () => {
    let short: TestApp;
    beforeAll(async () => {
      short = await startTestApp({ JWT_EXPIRES_IN: '2s' });
    });
    afterAll(() => short.close());

    it('accepts the token at once and refuses it after it expires', async () => {
      const user = await registerUser(short.http);
      expect((await short.http.get('/api/auth/me', { token: user.token })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3100));
      expect((await short.http.get('/api/auth/me', { token: user.token })).status).toBe(401);
    });
  });
});
