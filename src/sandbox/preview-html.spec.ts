import { describe, expect, it } from '@jest/globals';
import { withBaseHref } from './preview-html.js';

const BASE = '/api/sessions/abc/sandbox/site/tok/';

describe('withBaseHref', () => {
  it('puts the base element first inside <head>', () => {
    const out = withBaseHref(
      '<!DOCTYPE html><html><head lang="en"><title>x</title></head></html>',
      BASE,
    );
    expect(out).toBe(
      `<!DOCTYPE html><html><head lang="en"><base href="${BASE}"><title>x</title></head></html>`,
    );
  });

  it('adds a head when the document has only <html>', () => {
    expect(withBaseHref('<html><body>hi</body></html>', BASE)).toBe(
      `<html><head><base href="${BASE}"></head><body>hi</body></html>`,
    );
  });

  it('keeps a doctype first in a bare fragment', () => {
    expect(withBaseHref('<!doctype html><p>hi</p>', BASE)).toBe(
      `<!doctype html><base href="${BASE}"><p>hi</p>`,
    );
  });

  it('escapes the href so it cannot break out of the attribute', () => {
    expect(withBaseHref('<p></p>', '/a"><script>')).toBe(
      '<base href="/a&quot;>&lt;script>"><p></p>',
    );
  });

  it('does not mistake <header> for <head>', () => {
    expect(withBaseHref('<html><body><header>x</header></body></html>', BASE)).toContain(
      `<html><head><base href="${BASE}"></head>`,
    );
  });
});
