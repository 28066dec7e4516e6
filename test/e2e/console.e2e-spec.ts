import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { registerUser } from '../support/factories.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const script = () => readdirSync('dist/web/assets').find((f) => f.endsWith('.js'))!;

describe('the web console at /', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('serves the console page with its own strict CSP (own scripts only, no inline script)', async () => {
    const res = await t.http.get('/', { headers: HTML });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.text).toContain('<div id="root"></div>');
    expect(res.text).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('serves hashed assets for a year, compressed when asked, and 304 on a matching ETag', async () => {
    const path = `/assets/${script()}`;
    const plain = await t.http.get(path);
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toMatch(/^text\/javascript|^application\/javascript/);
    expect(plain.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const gz = await fetch(t.baseUrl + path, { headers: { 'accept-encoding': 'gzip' } });
    // fetch decodes gzip itself: the header and the sent length prove the compressed form went out.
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(Number(gz.headers.get('content-length'))).toBeLessThan(plain.text.length / 2);
    expect((await gz.text()).length).toBe(plain.text.length);
    const again = await t.http.get(path, {
      headers: { 'if-none-match': plain.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
  });

  it('answers a browser navigating to a console route with the console page', async () => {
    const res = await t.http.get('/sessions/0123456789abcdef0123456789abcdef/files', {
      headers: HTML,
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('<div id="root"></div>');
  });

  it('leaves /api alone: unknown API paths are JSON 404s even for a browser', async () => {
    const res = await t.http.get('/api/nope', { headers: HTML });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: expect.any(String) });
    const health = await t.http.get('/api/health');
    expect(health.status).toBe(200);
    expect(health.headers.get('content-security-policy')).not.toContain("frame-ancestors 'none'");
  });

  it('does not answer writes outside /api with the console', async () => {
    const res = await t.http.post('/', { body: {} });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ detail: expect.any(String) });
  });

  it('tells the console when no model provider is configured, so it can say how to set one', async () => {
    const user = await registerUser(t.http);
    const res = await t.http.get('/api/models', { token: user.token });
    expect(res.status).toBe(200);
    expect(res.body.configured).toBe(false);
  });
});
