import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createSession, registerUser, writeFile, type TestUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

interface Route {
  method: string;
  path: (sessionId: string) => string;
  body?: unknown;
}

/** Every route under /api/sessions/{id}; the ones that would change data carry a body that would show. */
const SESSION_ROUTES: Route[] = [
  { method: 'GET', path: (id) => `/api/sessions/${id}` },
  { method: 'PATCH', path: (id) => `/api/sessions/${id}`, body: { title: 'hijacked' } },
  { method: 'DELETE', path: (id) => `/api/sessions/${id}` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/messages` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/messages/latest/execution-steps` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/files` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/files/index.html` },
  {
    method: 'POST',
    path: (id) => `/api/sessions/${id}/sandbox/files/index.html`,
    body: { content: 'pwned' },
  },
  {
    method: 'POST',
    path: (id) => `/api/sessions/${id}/sandbox/files/planted.js`,
    body: { content: 'pwned' },
  },
  { method: 'DELETE', path: (id) => `/api/sessions/${id}/sandbox/files/index.html` },
  { method: 'DELETE', path: (id) => `/api/sessions/${id}/sandbox/files/css/site.css` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/preview` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/static/index.html` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/static/css/site.css` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/sandbox/preview-token` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/preview-errors` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/versions` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/versions/1` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/versions/1/files` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/versions/1/files/index.html` },
  { method: 'GET', path: (id) => `/api/sessions/${id}/diff?from=0&to=2` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/versions/0/restore` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/fork`, body: { title: 'hijacked' } },
  { method: 'GET', path: (id) => `/api/sessions/${id}/sandbox/archive` },
  { method: 'POST', path: (id) => `/api/sessions/${id}/sandbox/archive?replace=true` },
];

const label = (r: Route) => `${r.method} ${r.path('{id}')}`;
const cases = SESSION_ROUTES.map((r) => [label(r), r] as const);

const INDEX_HTML = '<!doctype html><link rel="stylesheet" href="css/site.css"><h1>Owner</h1>';
const SITE_CSS = 'h1 { color: teal }';

describe('ownership', () => {
  let t: TestApp;
  let owner: TestUser;
  let intruder: TestUser;
  let sessionId: string;
  let messageIds: number[];

  beforeAll(async () => {
    t = await startTestApp();
    owner = await registerUser(t.http, 'owner');
    intruder = await registerUser(t.http, 'intruder');
    sessionId = await createSession(t.http, owner.token, 'Owner site');
    await writeFile(t.http, owner.token, sessionId, 'index.html', INDEX_HTML);
    await writeFile(t.http, owner.token, sessionId, 'css/site.css', SITE_CSS);
    const rows = await t.db.query<{ id: number }>(
      `INSERT INTO messages (session_id, role, content, status)
       VALUES ($1, 'user', 'build a site', 'completed'), ($1, 'assistant', 'built it', 'completed')
       RETURNING id`,
      [sessionId],
    );
    messageIds = rows.map((r) => r.id);
    await t.db.query(
      `INSERT INTO execution_steps (session_id, message_id, iteration, tool_name, tool_arguments, status, progress)
       VALUES ($1, $2, 1, 'write_file', '{"filename": "index.html"}', 'completed', 100)`,
      [sessionId, messageIds[1]],
    );
  });
  afterAll(() => t.close());

  /** Everything the owner can see of the session, read through the API. */
  async function ownerView() {
    const opts = { token: owner.token };
    const [session, files, index, css, messages, steps] = await Promise.all([
      t.http.get(`/api/sessions/${sessionId}`, opts),
      t.http.get(`/api/sessions/${sessionId}/sandbox/files`, opts),
      t.http.get(`/api/sessions/${sessionId}/sandbox/files/index.html`, opts),
      t.http.get(`/api/sessions/${sessionId}/sandbox/files/css/site.css`, opts),
      t.http.get(`/api/sessions/${sessionId}/messages`, opts),
      t.http.get(`/api/sessions/${sessionId}/messages/latest/execution-steps`, opts),
    ]);
    return {
      statuses: [session, files, index, css, messages, steps].map((r) => r.status),
      session: session.body,
      files: files.body,
      index: index.body.content,
      css: css.body.content,
      messages: (messages.body as { id: number; content: string }[]).map((m) => [m.id, m.content]),
      steps: (steps.body as { id: number; status: string }[]).map((s) => [s.id, s.status]),
    };
  }

  describe("another user's session", () => {
    let before: Awaited<ReturnType<typeof ownerView>>;
    beforeAll(async () => {
      before = await ownerView();
      expect(before.statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expect(before.index).toBe(INDEX_HTML);
      expect(before.messages).toHaveLength(2);
      expect(before.steps).toHaveLength(1);
    });

    it.each(cases)(
      'refuses %s with a bearer token of another user (403 {"detail"})',
      async (_l, route) => {
        const res = await t.http.request(route.method, route.path(sessionId), {
          token: intruder.token,
          body: route.body,
        });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it.each([
      ['preview', (id: string) => `/api/sessions/${id}/sandbox/preview`],
      ['static', (id: string) => `/api/sessions/${id}/sandbox/static/index.html`],
    ])(
      "refuses another user's access token given as ?token= on %s (403, no redirect)",
      async (_l, path) => {
        const res = await t.http.get(`${path(sessionId)}?token=${intruder.token}`);
        expect(res.status).toBe(403);
        expect(res.headers.get('location')).toBeNull();
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it("refuses another user's preview token, issued for their own session, on this session's preview", async () => {
      const theirs = await createSession(t.http, intruder.token, 'Intruder site');
      const issued = await t.http.post(`/api/sessions/${theirs}/sandbox/preview-token`, {
        token: intruder.token,
      });
      expect(issued.status).toBe(200);
      for (const path of ['sandbox/preview', 'sandbox/static/index.html']) {
        const res = await t.http.get(
          `/api/sessions/${sessionId}/${path}?token=${issued.body.token}`,
        );
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it("refuses error reports posted under another user's preview token or under an access token", async () => {
      const theirs = await createSession(t.http, intruder.token, 'Intruder reports');
      const issued = await t.http.post(`/api/sessions/${theirs}/sandbox/preview-token`, {
        token: intruder.token,
      });
      const report = JSON.stringify({ kind: 'error', message: 'planted', version: 0 });
      for (const token of [issued.body.token as string, intruder.token, owner.token]) {
        const res = await fetch(
          `${t.baseUrl}/api/sessions/${sessionId}/sandbox/site/${token}/__errors`,
          { method: 'POST', headers: { 'content-type': 'text/plain' }, body: report },
        );
        expect(res.status).toBe(401);
      }
      const stored = await t.db.query(`SELECT id FROM preview_errors WHERE message = 'planted'`);
      expect(stored).toEqual([]);
    });

    it("leaves the owner's session, files, messages and steps exactly as they were", async () => {
      const after = await ownerView();
      expect(after).toEqual(before);
      const planted = await t.db.query(`SELECT path FROM sandbox_files WHERE path = 'planted.js'`);
      expect(planted).toEqual([]);
      const hijacked = await t.db.query(`SELECT id FROM sessions WHERE title = 'hijacked'`);
      expect(hijacked).toEqual([]);
    });

    it("does not list the owner's session to the other user", async () => {
      const res = await t.http.get('/api/sessions', { token: intruder.token });
      expect(res.status).toBe(200);
      expect((res.body as { id: string }[]).map((s) => s.id)).not.toContain(sessionId);
    });
  });

  describe("another user's API key", () => {
    let keyId: number;
    let key: string;
    beforeAll(async () => {
      const res = await t.http.post('/api/auth/api-keys', {
        token: owner.token,
        body: { name: 'owner key' },
      });
      expect(res.status).toBe(201);
      keyId = res.body.id;
      key = res.body.key;
    });

    it("is not in the other user's list", async () => {
      const res = await t.http.get('/api/auth/api-keys', { token: intruder.token });
      expect(res.status).toBe(200);
      expect((res.body as { id: number }[]).map((k) => k.id)).not.toContain(keyId);
    });

    it('cannot be deleted by the other user (404 {"detail"}, as an unknown id), and still works', async () => {
      const res = await t.http.delete(`/api/auth/api-keys/${keyId}`, { token: intruder.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
      const me = await t.http.get('/api/auth/me', { token: key });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(owner.id);
    });

    it("opens none of the other user's sessions for its owner either (403)", async () => {
      const theirs = await createSession(t.http, intruder.token, 'Intruder site 2');
      const res = await t.http.get(`/api/sessions/${theirs}`, { token: key });
      expect(res.status).toBe(403);
    });

    it.each([
      ['GET', '/api/auth/api-keys'],
      ['POST', '/api/auth/api-keys'],
      ['DELETE', '/api/auth/api-keys/{keyId}'],
    ])('answers %s %s without a token with 401', async (method, path) => {
      const res = await t.http.request(method, path.replace('{keyId}', String(keyId)), {
        body: method === 'POST' ? { name: 'x' } : undefined,
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });
  });

  describe('an unknown session', () => {
    const missing = randomBytes(16).toString('hex');

    it.each(cases)('answers %s with 404 {"detail"}', async (_l, route) => {
      const res = await t.http.request(route.method, route.path(missing), {
        token: owner.token,
        body: route.body,
      });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('creates nothing for the unknown session', async () => {
      const rows = await t.db.query(`SELECT id FROM sandbox_files WHERE session_id = $1`, [
        missing,
      ]);
      expect(rows).toEqual([]);
    });
  });

  describe('no token', () => {
    it.each(cases)('answers %s with 401 {"detail"}', async (_l, route) => {
      const res = await t.http.request(route.method, route.path(sessionId), { body: route.body });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('answers 401 to an access token given as ?token= on a route that is not preview or static', async () => {
      for (const path of ['', '/messages', '/sandbox/files', '/sandbox/files/index.html']) {
        const res = await t.http.get(`/api/sessions/${sessionId}${path}?token=${owner.token}`);
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it("leaves the owner's data in place", async () => {
      const view = await ownerView();
      expect(view.statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expect(view.session.title).toBe('Owner site');
      expect(view.index).toBe(INDEX_HTML);
      expect(view.css).toBe(SITE_CSS);
      expect((view.files.files as { name: string }[]).map((f) => f.name)).toEqual([
        'css/site.css',
        'index.html',
      ]);
    });
  });

  describe('preview tokens', () => {
    let second: string;
    let issued: { token: string; url: string; expires_at: string };

    beforeAll(async () => {
      second = await createSession(t.http, owner.token, 'Second site');
      await writeFile(t.http, owner.token, second, 'index.html', '<h1>Second</h1>');
      const res = await t.http.post(`/api/sessions/${sessionId}/sandbox/preview-token`, {
        token: owner.token,
      });
      expect(res.status).toBe(200);
      issued = res.body;
    });

    it('issues {token, url, expires_at} good for about 10 minutes', () => {
      expect(issued).toEqual({
        token: expect.any(String),
        url: expect.stringContaining(`/api/sessions/${sessionId}/sandbox/preview`),
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/),
      });
      expect(issued.url).toContain(encodeURIComponent(issued.token));
      expect(issued.token).not.toBe(owner.token);
      const ttl = Date.parse(issued.expires_at) - Date.now();
      expect(ttl).toBeGreaterThan(9 * 60_000);
      expect(ttl).toBeLessThanOrEqual(10 * 60_000 + 5_000);
    });

    it("opens its own session's preview through the url it came with", async () => {
      const url = new URL(issued.url, t.baseUrl);
      const res = await t.http.get(url.pathname + url.search);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.text).toContain('<h1>Owner</h1>');
    });

    it("does not open another session's preview or static files, even of the same user (401)", async () => {
      const attempts = [
        t.http.get(`/api/sessions/${second}/sandbox/preview?token=${issued.token}`),
        t.http.get(`/api/sessions/${second}/sandbox/static/index.html?token=${issued.token}`),
        t.http.get(`/api/sessions/${second}/sandbox/preview`, { token: issued.token }),
        t.http.get(`/api/sessions/${second}/sandbox/static/index.html`, { token: issued.token }),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ detail: expect.any(String) });
        expect(res.text).not.toContain('Second');
      }
    });

    it.each([
      ['GET', '/api/sessions'],
      ['GET', '/api/auth/me'],
      ['GET', '/api/sessions/{id}'],
      ['GET', '/api/sessions/{id}/sandbox/files'],
      ['GET', '/api/sessions/{id}/sandbox/files/index.html'],
      ['POST', '/api/sessions/{id}/sandbox/preview-token'],
      ['DELETE', '/api/sessions/{id}'],
      ['GET', '/api/auth/api-keys'],
      ['POST', '/api/auth/api-keys'],
    ])('is refused as a bearer token on %s %s (401)', async (method, path) => {
      const res = await t.http.request(method, path.replace('{id}', sessionId), {
        token: issued.token,
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it('left the session in place after being refused on DELETE', async () => {
      const res = await t.http.get(`/api/sessions/${sessionId}`, { token: owner.token });
      expect(res.status).toBe(200);
    });
  });

  describe('webhooks', () => {
    /** Every route under /api/webhooks/{id}. */
    const WEBHOOK_ROUTES: [string, (id: string) => string][] = [
      ['DELETE', (id) => `/api/webhooks/${id}`],
      ['GET', (id) => `/api/webhooks/${id}/deliveries`],
    ];
    const webhookCases = WEBHOOK_ROUTES.map(([m, p]) => [`${m} ${p('{id}')}`, m, p] as const);
    let hookId: string;

    beforeAll(async () => {
      // A public IP literal: accepted without DNS, and no event is ever sent to it here.
      const res = await t.http.post('/api/webhooks', {
        token: owner.token,
        body: { url: 'https://93.184.216.34/owner-hook', events: ['run.finished'] },
      });
      expect(res.status).toBe(201);
      hookId = String(res.body.id);
    });

    it.each(webhookCases)(
      'refuses %s on another user\'s webhook (403 {"detail"})',
      async (_l, method, path) => {
        const res = await t.http.request(method, path(hookId), { token: intruder.token });
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ detail: expect.any(String) });
      },
    );

    it.each(webhookCases)('answers %s on an unknown webhook with 404', async (_l, method, path) => {
      for (const id of ['999999', 'abc', '0']) {
        const res = await t.http.request(method, path(id), { token: owner.token });
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ detail: expect.any(String) });
      }
    });

    it.each([
      ...webhookCases,
      ['GET /api/webhooks', 'GET', () => '/api/webhooks'] as const,
      ['POST /api/webhooks', 'POST', () => '/api/webhooks'] as const,
    ])('answers %s without a token with 401', async (_l, method, path) => {
      const res = await t.http.request(method, path(hookId), {
        body:
          method === 'POST'
            ? { url: 'https://93.184.216.34/x', events: ['run.started'] }
            : undefined,
      });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ detail: expect.any(String) });
    });

    it("does not list the owner's webhook to the other user, and leaves it in place", async () => {
      const theirs = await t.http.get('/api/webhooks', { token: intruder.token });
      expect(theirs.status).toBe(200);
      expect(theirs.body).toEqual([]);
      const mine = await t.http.get('/api/webhooks', { token: owner.token });
      expect((mine.body as { id: number }[]).map((w) => String(w.id))).toEqual([hookId]);
    });
  });
});
