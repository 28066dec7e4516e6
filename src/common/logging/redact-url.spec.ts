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
  ])('logs %s as %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('keeps nothing of the token', () => {
    expect(redactUrl('/p?token=abc.def.ghi')).not.toContain('abc');
  });
});
