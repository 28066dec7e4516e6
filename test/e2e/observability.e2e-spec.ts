import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { eventually } from '../support/agent-helpers.js';
import { createSession, registerUser, writeFile } from '../support/factories.js';
import { startTestProcess, type TestProcess } from '../support/test-app.js';

/** The JSON lines the server wrote (pino). */
const logLines = (t: TestProcess) =>
  t
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, any>);

describe('logs, request ids and security headers', () => {
  let t: TestProcess;
  beforeAll(async () => {
    t = await startTestProcess({
      CORS_ORIGINS: 'https://app.example.com',
      TRUST_PROXY: '1',
      THROTTLE_AUTH_LIMIT: '3',
    });
  });
  afterAll(() => t.close());

  it('writes structured JSON logs only', () => {
    const lines = t.output().split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(10);
    for (const line of lines) {
      expect(() => JSON.parse(line)).not.toThrow();
    }
  });

  it('answers with a fresh X-Request-Id, or the gateway’s own, and logs the request under it', async () => {
    const fresh = await t.http.get('/api/sessions');
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await t.http.get('/api/sessions', {
      headers: { 'x-request-id': 'gateway-abc.123' },
    });
    expect(given.headers.get('x-request-id')).toBe('gateway-abc.123');
    const bogus = await t.http.get('/api/sessions', {
      headers: { 'x-request-id': 'bad id <script>' },
    });
    expect(bogus.headers.get('x-request-id')).not.toBe('bad id <script>');
    // The request's log line is written once its response has gone: wait for it, not a fixed time.
    const line = await eventually(async () =>
      logLines(t).find((l) => l.req?.id === 'gateway-abc.123'),
    );
    expect(line).toMatchObject({
      req: { method: 'GET', url: '/api/sessions' },
      res: { statusCode: 401 },
    });
  });

  it('never logs tokens, passwords or file contents', async () => {
    const user = await registerUser(t.http);
    await t.http.post('/api/auth/login', {
      body: { username: user.username, password: user.password },
    });
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<p>SECRET-FILE-CONTENT-42</p>');
    const preview = await t.http.get(
      `/api/sessions/${sessionId}/sandbox/preview?token=${user.token}`,
    );
    expect(preview.status).toBe(302);
    await t.http.get(preview.headers.get('location')!);
    const redacted = `/api/sessions/${sessionId}/sandbox/preview?token=[REDACTED]`;
    await eventually(async () => (t.output().includes(redacted) ? true : undefined));
    const output = t.output();
    expect(output).not.toContain(user.token);
    expect(output).not.toContain(user.password);
    expect(output).not.toContain('SECRET-FILE-CONTENT-42');
    expect(output).not.toMatch(/eyJhbGciOi/);
    expect(output).not.toMatch(/authorization/i);
  });

  it('sends helmet’s headers on API responses', async () => {
    const res = await t.http.get('/api/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  it('keeps the preview’s own sandbox CSP and lets it be framed', async () => {
    const user = await registerUser(t.http);
    const sessionId = await createSession(t.http, user.token);
    await writeFile(t.http, user.token, sessionId, 'index.html', '<p>hi</p>');
    const res = await t.http.get(`/api/sessions/${sessionId}/sandbox/preview`, {
      token: user.token,
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts/);
    expect(res.headers.get('x-frame-options')).toBeNull();
  });

  it('allows the configured CORS origins and no others', async () => {
    const allowed = await t.http.request('OPTIONS', '/api/sessions', {
      headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await t.http.get('/api/health', {
      headers: { origin: 'https://evil.example.com' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('counts per-IP limits by the client address the gateway forwards (TRUST_PROXY)', async () => {
    const login = (ip: string) =>
      t.http.post('/api/auth/login', {
        body: { username: 'nobody', password: 'wrong-password' },
        headers: { 'x-forwarded-for': ip },
      });
    const first = [];
    for (let i = 0; i < 4; i++) {
      first.push((await login('203.0.113.7')).status);
    }
    expect(first).toEqual([401, 401, 401, 429]);
    expect((await login('203.0.113.8')).status).toBe(401);
  });
});

describe('readiness', () => {
  let t: TestProcess;
  beforeAll(async () => {
    // Redis configured but unreachable: the process lives and serves (limits fall back to per-replica).
    t = await startTestProcess({ REDIS_URL: 'redis://127.0.0.1:1' });
  });
  afterAll(() => t.close());

  it('is live and ready while Redis is down, reporting Redis as degraded', async () => {
    expect((await t.http.get('/api/health')).status).toBe(200);
    const ready = await t.http.get('/api/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'degraded',
      info: { database: { status: 'up' }, redis: { status: 'degraded' } },
    });
  });
});
