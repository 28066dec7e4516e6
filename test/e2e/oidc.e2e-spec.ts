import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  exportJWK,
  exportSPKI,
  generateKeyPair,
  SignJWT,
  type CryptoKey,
  type JWK,
  type JWTPayload,
} from 'jose';
import { registerAdmin, registerUser, type TestUser } from '../support/factories.js';
import { freePort, startTestProcess, type TestProcess } from '../support/test-app.js';

const ISSUER = 'https://idp.corp.example/';
const AUDIENCE = 'aeio-api';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const now = () => Math.floor(Date.now() / 1000);
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

interface SigningKey {
  kid: string;
  alg: 'RS256' | 'ES256';
  privateKey: CryptoKey;
  jwk: JWK;
  spki: string;
}

async function signingKey(kid: string, alg: 'RS256' | 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  return { kid, alg, privateKey, jwk, spki: await exportSPKI(publicKey) };
}

/** The identity provider's key endpoint: a real HTTP server on loopback that counts its requests. */
class JwksServer {
  keys: JWK[] = [];
  requests = 0;
  /** Answers 500 (the IdP in an outage) while set. */
  failing = false;
  private server?: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((_req, res) => {
      this.requests++;
      if (this.failing) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('down');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: this.keys }));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    const { port } = this.server.address() as { port: number };
    this.url = `http://127.0.0.1:${port}/.well-known/jwks.json`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server?.close(() => r()) ?? r());
  }
}

/** An IdP access token: valid by default, each claim overridable (undefined removes it). */
function idpToken(key: SigningKey, claims: JWTPayload = {}, kid = key.kid): Promise<string> {
  const payload: JWTPayload = {
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'sub-default',
    iat: now(),
    exp: now() + 300,
    ...claims,
  };
  for (const k of Object.keys(payload)) {
    if (payload[k] === undefined) {
      delete payload[k];
    }
  }
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid }).sign(key.privateKey);
}

const me = (t: TestProcess, token: string) => t.http.get('/api/auth/me', { token });

describe('corporate identity (OIDC)', () => {
  const jwks = new JwksServer();
  let rsa: SigningKey;
  let ec: SigningKey;
  let rotated: SigningKey;
  let unpublished: SigningKey;
  let t: TestProcess;
  let local: TestUser;
  const env = () => ({
    AUTH_JWKS_URL: jwks.url,
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
  });

  beforeAll(async () => {
    [rsa, ec, rotated, unpublished] = await Promise.all([
      signingKey('rsa-1', 'RS256'),
      signingKey('ec-1', 'ES256'),
      signingKey('rsa-2', 'RS256'),
      signingKey('never-published', 'RS256'),
    ]);
    jwks.keys = [rsa.jwk, ec.jwk];
    await jwks.start();
    t = await startTestProcess(env());
    local = await registerUser(t.http, 'localuser');
  });
  afterAll(async () => {
    await t.close();
    await jwks.close();
  });

  describe('provisioning', () => {
    let firstId: number;

    it('makes a user on first use of an IdP token, named from preferred_username', async () => {
      const token = await idpToken(rsa, {
        sub: 'u-jane',
        preferred_username: 'jane.doe',
        email: 'jane@corp.example',
      });
      const res = await me(t, token);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        username: 'jane.doe',
        email: 'jane@corp.example',
        tier: 'free',
        role: 'user',
      });
      firstId = res.body.id;
      const rows = await t.db.query(
        `SELECT i.issuer, i.subject, u.password_hash FROM user_identities i
           JOIN users u ON u.id = i.user_id WHERE i.user_id = $1`,
        [firstId],
      );
      expect(rows).toEqual([{ issuer: ISSUER, subject: 'u-jane', password_hash: '!' }]);
    });

    it('finds the same user on later uses, with either key (RS256, ES256)', async () => {
      for (const key of [rsa, ec, rsa]) {
        const token = await idpToken(key, { sub: 'u-jane', preferred_username: 'renamed' });
        const res = await me(t, token);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ id: firstId, username: 'jane.doe' });
      }
      const [row] = await t.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM user_identities WHERE subject = 'u-jane'`,
      );
      expect(row.n).toBe(1);
    });

    it('makes one user when the first requests of a new identity arrive at once', async () => {
      const token = await idpToken(ec, { sub: 'u-race', preferred_username: 'racer' });
      const answers = await Promise.all(Array.from({ length: 8 }, () => me(t, token)));
      expect(answers.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(answers.map((r) => r.body.id)).size).toBe(1);
      const users = await t.db.query(`SELECT id FROM users WHERE lower(username) LIKE 'racer%'`);
      expect(users).toHaveLength(1);
    });

    it('never hands an IdP user a local account by name or email: suffix and placeholder', async () => {
      const token = await idpToken(rsa, {
        sub: 'u-impostor',
        preferred_username: local.username.toUpperCase(),
        email: local.email,
      });
      const res = await me(t, token);
      expect(res.status).toBe(200);
      expect(res.body.id).not.toBe(local.id);
      expect(res.body.username).toBe(`${local.username.toUpperCase()}-2`);
      expect(res.body.email).toMatch(/^[0-9a-f-]{36}@oidc\.invalid$/);
      const mine = await me(t, local.token);
      expect(mine.body).toMatchObject({
        id: local.id,
        username: local.username,
        email: local.email,
      });
    });

    it('makes an odd or missing name valid (accents, spaces, no claim → email, then sub)', async () => {
      const named = await me(
        t,
        await idpToken(rsa, { sub: 'u-zoe', preferred_username: 'Zoë Ölund' }),
      );
      expect(named.body.username).toBe('Zoe_Olund');
      const byEmail = await me(
        t,
        await idpToken(rsa, { sub: 'u-mail', email: 'max@corp.example' }),
      );
      expect(byEmail.body).toMatchObject({ username: 'max', email: 'max@corp.example' });
      const bySub = await me(t, await idpToken(rsa, { sub: 'x9' }));
      expect(bySub.body.username).toBe('x9_');
    });

    it('never lets an IdP user in with a password', async () => {
      const token = await idpToken(rsa, { sub: 'u-nopass', preferred_username: 'nopass' });
      const made = await me(t, token);
      expect(made.status).toBe(200);
      for (const login of ['nopass', made.body.email as string]) {
        for (const password of ['!', '', 'anything at all', 'undefined']) {
          const res = await t.http.post('/api/auth/login', { body: { username: login, password } });
          expect([401, 422]).toContain(res.status);
          expect(res.body.access_token).toBeUndefined();
        }
      }
    });

    it("stops a disabled IdP user's tokens", async () => {
      const admin = await registerAdmin(t);
      const token = await idpToken(ec, { sub: 'u-disabled', preferred_username: 'offboarded' });
      const made = await me(t, token);
      expect(made.status).toBe(200);
      const off = await t.http.patch(`/api/admin/users/${made.body.id}`, {
        token: admin.token,
        body: { disabled: true },
      });
      expect(off.status).toBe(200);
      const after = await me(t, await idpToken(ec, { sub: 'u-disabled' }));
      expect(after.status).toBe(401);
      // And no second account is made for the same identity.
      const users = await t.db.query(
        `SELECT id FROM users WHERE lower(username) LIKE 'offboarded%'`,
      );
      expect(users).toHaveLength(1);
    });
  });

  describe('works wherever an access token does', () => {
    it('on sessions, API keys and the preview (header), not as ?token=', async () => {
      const token = await idpToken(rsa, { sub: 'u-worker', preferred_username: 'worker' });
      const created = await t.http.post('/api/sessions', { token, body: { title: 'From SSO' } });
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      const write = await t.http.post(`/api/sessions/${id}/sandbox/files/index.html`, {
        token,
        body: { content: '<h1>SSO</h1>' },
      });
      expect(write.status).toBe(200);
      const preview = await t.http.get(`/api/sessions/${id}/sandbox/preview`, { token });
      expect(preview.status).toBe(200);
      expect(preview.text).toContain('SSO');
      const inUrl = await t.http.get(`/api/sessions/${id}/sandbox/preview?token=${token}`);
      expect(inUrl.status).toBe(401);

      const key = await t.http.post('/api/auth/api-keys', { token, body: { name: 'sso script' } });
      expect(key.status).toBe(201);
      const viaKey = await me(t, key.body.key as string);
      expect(viaKey.body.username).toBe('worker');
    });

    it('leaves our own HS256 tokens working alongside', async () => {
      const res = await me(t, local.token);
      expect(res.status).toBe(200);
      expect(res.body.id).toBe(local.id);
    });
  });

  describe('refusals (401)', () => {
    const cases: [string, () => Promise<string>][] = [
      ['a wrong audience', () => idpToken(rsa, { sub: 'u-bad', aud: 'someone-else' })],
      ['a wrong issuer', () => idpToken(rsa, { sub: 'u-bad', iss: 'https://evil.example/' })],
      [
        'an expired token',
        () => idpToken(rsa, { sub: 'u-bad', exp: now() - 120, iat: now() - 600 }),
      ],
      ['a token not valid yet (nbf)', () => idpToken(ec, { sub: 'u-bad', nbf: now() + 120 })],
      ['a token without exp', () => idpToken(rsa, { sub: 'u-bad', exp: undefined })],
      ['a token without sub', () => idpToken(rsa, { sub: undefined })],
      ['a key the JWKS never published', () => idpToken(unpublished, { sub: 'u-bad' })],
      [
        'an unpublished key under a published kid',
        () => idpToken(unpublished, { sub: 'u-bad' }, 'rsa-1'),
      ],
      [
        'alg "none"',
        async () =>
          `${b64url({ alg: 'none', kid: 'rsa-1' })}.${b64url({ iss: ISSUER, aud: AUDIENCE, sub: 'u-bad', exp: now() + 300 })}.`,
      ],
      [
        'HS256 signed with the public key’s bytes',
        () =>
          new SignJWT({ iss: ISSUER, aud: AUDIENCE, sub: 'u-bad', exp: now() + 300 })
            .setProtectedHeader({ alg: 'HS256', kid: 'rsa-1' })
            .sign(new TextEncoder().encode(rsa.spki)),
      ],
    ];

    it.each(cases)('refuses %s', async (_label, make) => {
      const res = await me(t, await make());
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: 'Could not validate credentials' });
    });

    it('made no user for any refused token', async () => {
      const rows = await t.db.query(`SELECT subject FROM user_identities WHERE subject = 'u-bad'`);
      expect(rows).toEqual([]);
    });

    it('asks the JWKS server at most once for repeated unknown kids within a minute', async () => {
      // The key set is loaded by now (earlier tests); every token below names a kid it lacks.
      const before = jwks.requests;
      expect(before).toBeGreaterThanOrEqual(1);
      for (let i = 0; i < 6; i++) {
        const token = await idpToken(unpublished, { sub: 'u-bad' }, `made-up-${i}`);
        expect((await me(t, token)).status).toBe(401);
      }
      await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          expect((await me(t, await idpToken(unpublished, {}, `burst-${i}`))).status).toBe(401),
        ),
      );
      expect(jwks.requests - before).toBeLessThanOrEqual(1);
    });
  });

  describe('with AUTH_LOCAL_LOGIN=false, a short JWKS cooldown, on a second replica', () => {
    let sso: TestProcess;
    beforeAll(async () => {
      sso = await startTestProcess(
        { ...env(), AUTH_LOCAL_LOGIN: 'false', AUTH_JWKS_COOLDOWN_SEC: '1' },
        t.db,
      );
    });
    afterAll(() => sso.close());

    it('turns register and login off (403 {"detail"} naming the identity provider)', async () => {
      const register = await sso.http.post('/api/auth/register', {
        body: { username: 'newbie', email: 'newbie@example.com', password: 'long enough pw' },
      });
      expect(register.status).toBe(403);
      expect(register.body).toEqual({ detail: expect.stringMatching(/identity provider/) });
      const login = await sso.http.post('/api/auth/login', {
        body: { username: local.username, password: local.password },
      });
      expect(login.status).toBe(403);
      expect(login.body).toEqual({ detail: expect.stringMatching(/identity provider/) });
      expect(await sso.db.query(`SELECT id FROM users WHERE username = 'newbie'`)).toEqual([]);
    });

    it('accepts IdP tokens, for the same user as the other replica', async () => {
      const res = await me(sso, await idpToken(ec, { sub: 'u-jane' }));
      expect(res.status).toBe(200);
      expect(res.body.username).toBe('jane.doe');
    });

    it('accepts a rotated key (new kid) once the JWKS has it: one refetch for the unknown kid', async () => {
      expect((await me(sso, await idpToken(rsa, { sub: 'u-jane' }))).status).toBe(200);
      await sleep(1100); // past the 1 s cooldown since the last fetch
      jwks.keys = [rotated.jwk, ec.jwk];
      const before = jwks.requests;
      const res = await me(
        sso,
        await idpToken(rotated, { sub: 'u-rotated', preferred_username: 'rot' }),
      );
      expect(res.status).toBe(200);
      expect(res.body.username).toBe('rot');
      expect(jwks.requests - before).toBe(1);
      // Later tokens with the new key need no more fetches; the retired key left with the old set.
      expect((await me(sso, await idpToken(rotated, { sub: 'u-rotated' }))).status).toBe(200);
      expect((await me(sso, await idpToken(rsa, { sub: 'u-jane' }))).status).toBe(401);
      expect(jwks.requests - before).toBe(1);
    });

    it('refetches for unknown kids at most once per cooldown, however many arrive', async () => {
      await sleep(1100);
      const before = jwks.requests;
      await Promise.all(
        Array.from({ length: 8 }, async (_, i) =>
          expect((await me(sso, await idpToken(unpublished, {}, `ghost-${i}`))).status).toBe(401),
        ),
      );
      for (let i = 0; i < 4; i++) {
        expect((await me(sso, await idpToken(unpublished, {}, `ghost-seq-${i}`))).status).toBe(401);
      }
      expect(jwks.requests - before).toBe(1);
    });
  });

  it('refuses to start with only part of the IdP configured', async () => {
    await expect(startTestProcess({ AUTH_JWKS_URL: jwks.url }, t.db)).rejects.toThrow(
      /Configuration error: corporate identity needs all of AUTH_JWKS_URL, AUTH_ISSUER, AUTH_AUDIENCE/,
    );
  });
});

describe('without corporate identity configured', () => {
  let t: TestProcess;
  let key: SigningKey;

  beforeAll(async () => {
    key = await signingKey('k', 'RS256');
    t = await startTestProcess();
  });
  afterAll(() => t.close());

  it('refuses IdP-signed tokens (401) and makes no user', async () => {
    const res = await me(t, await idpToken(key, { sub: 'u-1' }));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ detail: 'Could not validate credentials' });
    expect(await t.db.query(`SELECT * FROM user_identities`)).toEqual([]);
  });
});

describe('with the identity provider unreachable', () => {
  let t: TestProcess;
  let key: SigningKey;
  let local: TestUser;

  beforeAll(async () => {
    key = await signingKey('k', 'RS256');
    // Nothing listens on this port: every JWKS fetch is refused.
    const port = await freePort();
    t = await startTestProcess({
      AUTH_JWKS_URL: `http://127.0.0.1:${port}/jwks`,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
    });
    local = await registerUser(t.http, 'idpdown');
  });
  afterAll(() => t.close());

  it('answers an IdP token 503 {"detail"} (not 401: the token may be good) and keeps our tokens working', async () => {
    const token = await idpToken(key, { sub: 'u-1' });
    const res = await me(t, token);
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ detail: 'Identity provider unavailable; retry shortly' });
    expect((await me(t, local.token)).status).toBe(200);
    // The outage is logged, the token never.
    expect(t.output()).toContain('identity provider keys unavailable');
    expect(t.output()).not.toContain(token);
  });
});

describe('with the identity provider failing (JWKS answers 500)', () => {
  const jwks = new JwksServer();
  let t: TestProcess;
  let key: SigningKey;

  beforeAll(async () => {
    key = await signingKey('k', 'RS256');
    jwks.keys = [key.jwk];
    jwks.failing = true;
    await jwks.start();
    t = await startTestProcess({
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_COOLDOWN_SEC: '3',
    });
  });
  afterAll(async () => {
    await t.close();
    await jwks.close();
  });

  it('answers 503 to every IdP token but asks the failing IdP at most once per cooldown', async () => {
    const token = await idpToken(key, { sub: 'u-outage' });
    for (let i = 0; i < 5; i++) {
      expect((await me(t, token)).status).toBe(503);
    }
    const statuses = await Promise.all(
      Array.from(
        { length: 5 },
        async (_, i) => (await me(t, await idpToken(key, {}, `k-${i}`))).status,
      ),
    );
    expect(statuses).toEqual(Array(5).fill(503));
    // A storm of requests in an outage must not become a storm of JWKS fetches at the struggling IdP.
    expect(jwks.requests).toBe(1);
  });

  it('recovers after the cooldown, and while the IdP fails again keeps verifying the keys it holds', async () => {
    await sleep(3100);
    jwks.failing = false;
    const token = await idpToken(key, { sub: 'u-outage' });
    expect((await me(t, token)).status).toBe(200);
    expect(jwks.requests).toBe(2);
    await sleep(3100); // past the cooldown since that fetch: an unknown kid may ask again
    jwks.failing = true;
    expect((await me(t, await idpToken(key, {}, 'new-kid'))).status).toBe(503);
    expect((await me(t, await idpToken(key, {}, 'new-kid-2'))).status).toBe(503);
    expect((await me(t, token)).status).toBe(200);
    expect(jwks.requests).toBe(3);
  });
});
