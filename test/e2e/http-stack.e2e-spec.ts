import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { llmEnv } from '../support/agent-helpers.js';
import { callTools, FakeOpenAi, say, streamed } from '../support/fake-openai.js';
import { registerUser, type TestUser } from '../support/factories.js';
import { openSse } from '../support/sse-client.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * One pass through everything the HTTP stack itself does (src/common/http/fastify-app.ts): headers,
 * per-route body limits and parsers, raw responses (preview, SSE, zip), errors and the API document.
 */
describe('the HTTP stack, end to end', () => {
  const fake = new FakeOpenAi(() => streamed(say('unscripted')));
  let t: TestApp;
  let user: TestUser;
  let sessionId: string;
  const sandbox = () => `/api/sessions/${sessionId}/sandbox`;

  beforeAll(async () => {
    await fake.start();
    t = await startTestApp(llmEnv(fake));
    user = await registerUser(t.http);
  });
  afterAll(async () => {
    await t.close();
    await fake.close();
  });

  it('logs in and answers /auth/me with helmet headers and no x-powered-by', async () => {
    const login = await t.http.post('/api/auth/login', {
      body: { username: user.username, password: user.password },
    });
    expect(login.status).toBe(200);
    const me = await t.http.get('/api/auth/me', { token: login.body.access_token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: user.id, username: user.username });
    expect(me.headers.get('x-content-type-options')).toBe('nosniff');
    expect(me.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(me.headers.get('x-powered-by')).toBeNull();
    expect(me.headers.get('etag')).toBeNull();
    expect(me.headers.get('x-request-id')).toMatch(/.+/);
  });

  it('creates a session once per Idempotency-Key and pages the list with a Link header', async () => {
    const headers = { 'idempotency-key': 'k-stack' };
    const first = await t.http.post('/api/sessions', {
      token: user.token,
      body: { title: 'Site' },
      headers,
    });
    expect(first.status).toBe(201);
    sessionId = first.body.id as string;
    const again = await t.http.post('/api/sessions', {
      token: user.token,
      body: { title: 'Site' },
      headers,
    });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    await t.http.post('/api/sessions', { token: user.token, body: { title: 'Other' } });
    const page = await t.http.get('/api/sessions?limit=1', { token: user.token });
    expect(page.status).toBe(200);
    expect(page.body).toHaveLength(1);
    expect(page.headers.get('link')).toMatch(
      /^<\/api\/sessions\?limit=1&before=[^>]+>; rel="next"$/,
    );
  });

  it('writes and reads a nested file, and refuses bodies over their route limit with 413', async () => {
    const write = await t.http.post(`${sandbox()}/files/css/site.css`, {
      token: user.token,
      body: { content: 'body { color: red }' },
    });
    expect(write.status).toBe(200);
    expect(write.body).toEqual({
      filename: 'css/site.css',
      size: 19,
      message: 'File saved successfully',
    });
    const read = await t.http.get(`${sandbox()}/files/css/site.css`, { token: user.token });
    expect(read.body).toMatchObject({ filename: 'css/site.css', content: 'body { color: red }' });
    // 100 KiB is within the file write limit (8 MiB) but over every other route's (64 KiB).
    const big = 'x'.repeat(100 * 1024);
    const file = await t.http.post(`${sandbox()}/files/big.txt`, {
      token: user.token,
      body: { content: big },
    });
    expect(file.status).toBe(200);
    const rename = await t.http.request('PATCH', `/api/sessions/${sessionId}`, {
      token: user.token,
      body: { title: big },
    });
    expect(rename.status).toBe(413);
    expect(rename.body).toEqual({ detail: 'Request body too large' });
  });

  it('answers malformed JSON with 400 and unknown routes with the {"detail"} 404', async () => {
    const bad = await t.http.post('/api/sessions', {
      token: user.token,
      rawBody: '{"title": ',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ detail: 'Malformed JSON in request body' });
    for (const path of ['/api/nothing-here', '/not-api']) {
      const res = await t.http.get(path, { token: user.token });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ detail: 'Not found' });
    }
  });

  it('swaps an access token in ?token= for a preview token, then serves the page sandboxed', async () => {
    await t.http.post(`${sandbox()}/files/index.html`, {
      token: user.token,
      body: { content: '<!doctype html><title>x</title><h1>hi</h1>' },
    });
    const redirect = await fetch(`${t.baseUrl}${sandbox()}/preview?token=${user.token}`, {
      redirect: 'manual',
    });
    expect(redirect.status).toBe(302);
    const location = redirect.headers.get('location')!;
    expect(location).not.toContain(user.token);
    const page = await fetch(new URL(location, t.baseUrl));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts/);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await page.text()).toContain('<h1>hi</h1>');
  });

  it('streams an agent turn as SSE: user_message, step, delta, done', async () => {
    fake.scriptFromNow((n) =>
      n === 0
        ? streamed(callTools([{ name: 'write_file', args: { filename: 'a.txt', content: 'A' } }]))
        : streamed(say('Done.')),
    );
    const sse = await openSse(`${t.baseUrl}/api/sessions/${sessionId}/messages`, user.token, {
      content: 'write a',
      stream: true,
    });
    expect(sse.status).toBe(200);
    expect(sse.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const names = (await sse.all()).map((e) => e.event);
    expect(names[0]).toBe('user_message');
    expect(names.at(-1)).toBe('done');
    expect(new Set(names)).toEqual(new Set(['user_message', 'step', 'delta', 'done']));
  });

  it('exports the sandbox as a zip attachment and imports it back (raw application/zip body)', async () => {
    const exported = await fetch(`${t.baseUrl}${sandbox()}/archive`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-type')).toMatch(/^application\/zip/);
    expect(exported.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.zip"$/);
    const zip = Buffer.from(await exported.arrayBuffer());
    expect(zip.subarray(0, 4).toString('latin1')).toBe('PK\x03\x04');
    const copy = (
      await t.http.post('/api/sessions', { token: user.token, body: { title: 'Copy' } })
    ).body.id as string;
    const imported = await fetch(`${t.baseUrl}/api/sessions/${copy}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/zip' },
      body: zip,
    });
    expect(imported.status).toBe(200);
    const listing = async (id: string) =>
      (await t.http.get(`/api/sessions/${id}/sandbox/files`, { token: user.token })).body;
    expect(await listing(copy)).toEqual(await listing(sessionId));
    // Another content type is not read as an archive; one past 50 MiB is refused before any work.
    const wrongType = await fetch(`${t.baseUrl}/api/sessions/${copy}/sandbox/archive`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${user.token}`,
        'content-type': 'application/octet-stream',
      },
      body: zip,
    });
    expect(wrongType.status).toBe(400);
    const tooBig = await fetch(`${t.baseUrl}/api/sessions/${copy}/sandbox/archive`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/zip' },
      body: Buffer.alloc(50 * 1024 * 1024 + 1),
    });
    expect(tooBig.status).toBe(413);
  });

  it('sends an ETag on files and answers a stale If-Match with 412', async () => {
    const file = `${sandbox()}/files/etag.txt`;
    const written = await t.http.post(file, { token: user.token, body: { content: 'one' } });
    expect(written.status).toBe(200);
    const etag = written.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const read = await t.http.get(file, { token: user.token });
    expect(read.headers.get('etag')).toBe(etag);
    const next = await t.http.post(file, {
      token: user.token,
      body: { content: 'two' },
      headers: { 'if-match': etag },
    });
    expect(next.status).toBe(200);
    const stale = await t.http.post(file, {
      token: user.token,
      body: { content: 'three' },
      headers: { 'if-match': etag },
    });
    expect(stale.status).toBe(412);
    expect((await t.http.get(file, { token: user.token })).body.content).toBe('two');
  });

  it('takes a preview error report as text/plain JSON, then lists it', async () => {
    const token = (await t.http.post(`${sandbox()}/preview-token`, { token: user.token })).body
      .token as string;
    const site = await fetch(`${t.baseUrl}${sandbox()}/site/${token}/index.html`);
    expect(site.status).toBe(200);
    expect(site.headers.get('access-control-allow-origin')).toBe('*');
    expect(await site.text()).toMatch(/<script[\s>]/);
    // A missing file is a readable 404 for the page's own fetch(), not a CORS failure.
    const missing = await fetch(`${t.baseUrl}${sandbox()}/site/${token}/data/missing.json`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe('*');
    const report = await fetch(`${t.baseUrl}${sandbox()}/site/${token}/__errors`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ kind: 'console.error', message: 'boom on the page', version: 1 }),
    });
    expect(report.status).toBe(204);
    const tooBig = await fetch(`${t.baseUrl}${sandbox()}/site/${token}/__errors`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ kind: 'console.error', message: 'x'.repeat(40 * 1024), version: 1 }),
    });
    expect(tooBig.status).toBe(413);
    const list = await t.http.get(`${sandbox()}/preview-errors`, { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.errors[0]).toMatchObject({
      kind: 'console.error',
      message: 'boom on the page',
    });
  });

  it('serves Swagger UI and the OpenAPI document', async () => {
    const ui = await fetch(`${t.baseUrl}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger-ui');
    const doc = await t.http.get('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.paths).toHaveProperty('/api/sessions');
  });
});
