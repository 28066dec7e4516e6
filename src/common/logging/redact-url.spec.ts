import { describe, expect, it } from '@jest/globals';
import { redactUrl } from './redact-url.js';

describe('redactUrl', () => {
  it.each([
    [
      '/api/sessions/abc/sandbox/preview?token=eyJ.a.b',
      '/api/sessions/abc/sandbox/preview?token=[REDACTED]',
    ],
    ['/api/x?a=1&token=eyJ.a.b&b=2', '/api/x?a=1&token=[REDACTED]&b=2'],
    ['/api/x?TOKEN=secret', '/api/x?TOKEN=[REDACTED]'],
    [
      '/api/sessions/abc/sandbox/site/eyJ.a.b/css/site.css',
      '/api/sessions/abc/sandbox/site/[REDACTED]/css/site.css',
    ],
    ['/api/sessions/abc/sandbox/files/index.html', '/api/sessions/abc/sandbox/files/index.html'],
    ['/api/auth/login', '/api/auth/login'],
    // Spellings a query parser (Fastify's, node:querystring) still reads as `token`.
    ['/p?%74oken=eyJ.a.b', '/p?%74oken=[REDACTED]'],
    ['/p?t%6Fken=eyJ.a.b', '/p?t%6Fken=[REDACTED]'],
    ['/p?a=1&to%6ben=eyJ.a.b&b=2', '/p?a=1&to%6ben=[REDACTED]&b=2'],
    ['/p?%54%4F%4B%45%4E=eyJ.a.b', '/p?%54%4F%4B%45%4E=[REDACTED]'],
    ['/p?token=a&token=eyJ.a.b', '/p?token=[REDACTED]&token=[REDACTED]'],
    ['/p?token%5B%5D=eyJ.a.b', '/p?token%5B%5D=[REDACTED]'],
    ['/p?token[]=eyJ.a.b', '/p?token[]=[REDACTED]'],
    ['/p?tokens=kept&tok=kept', '/p?tokens=kept&tok=kept'],
    ['/p?x=%E0%A4%A&token=eyJ.a.b', '/p?x=%E0%A4%A&token=[REDACTED]'],
    // Routes match case-insensitively, so this still reaches the tokenised asset path.
    [
      '/api/sessions/abc/SANDBOX/Site/eyJ.a.b/css/site.css',
      '/api/sessions/abc/SANDBOX/Site/[REDACTED]/css/site.css',
    ],
  ])('logs %s as %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it.each([
    ['/api/sessions?api_key=aeio_' + 'A1b2C3d4'.repeat(5), '/api/sessions?api_key=aeio_[REDACTED]'],
    [
      '/api/x?a=1&access_token=aeio_' + 'z9'.repeat(20) + '&b=2',
      '/api/x?a=1&access_token=aeio_[REDACTED]&b=2',
    ],
    ['/api/keys/aeio_' + 'Q'.repeat(40) + '/x', '/api/keys/aeio_[REDACTED]/x'],
    ['/api/x?key=aeio%5F' + 'Q'.repeat(40), '/api/x?key=aeio_[REDACTED]'],
  ])('never logs an API key, wherever in the URL a client put it: %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('keeps nothing of the token', () => {
    expect(redactUrl('/p?token=abc.def.ghi')).not.toContain('abc');
  });

  it.each([
    ['ampersands', (n: number) => `/p?${'&'.repeat(n)}token=eyJ.a.b`],
    ['percent signs', (n: number) => `/p?${'%'.repeat(n)}=1&token=eyJ.a.b`],
    ['site segments', (n: number) => `${'/sandbox/site/'.repeat(n)}x?token=eyJ.a.b`],
  ])('handles a URL of many %s at N and 8N', (_label, url) => {
    for (const n of [100_000, 800_000]) {
      expect(redactUrl(url(n))).toMatch(/token=\[REDACTED\]$/);
    }
  });
});
