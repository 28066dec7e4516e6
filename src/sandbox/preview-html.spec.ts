import { describe, expect, it } from '@jest/globals';
import { withBaseHref, withCrossOriginScripts, withPreviewHead } from './preview-html.js';

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

  it('finds a head whose name is upper-case and whose attributes follow a newline', () => {
    expect(withBaseHref('<HTML><HEAD\nlang="en"><title>x</title>', BASE)).toBe(
      `<HTML><HEAD\nlang="en"><base href="${BASE}"><title>x</title>`,
    );
  });

  it('falls back to <html> when a "<head " never closes', () => {
    expect(withBaseHref('<html lang="en"><head ', BASE)).toBe(
      `<html lang="en"><head><base href="${BASE}"></head><head `,
    );
  });

  it('keeps a doctype after leading whitespace first', () => {
    expect(withBaseHref('\n <!DOCTYPE html><p>hi</p>', BASE)).toBe(
      `\n <!DOCTYPE html><base href="${BASE}"><p>hi</p>`,
    );
  });

  // A backtracking pattern rescanned the rest of the page from every "<head ": 1 MiB took minutes.
  it.each(['<head ', '<html ', ' '])('handles %j repeated at N and 8N (up to 1 MiB)', (unit) => {
    for (const bytes of [128 * 1024, 1024 * 1024]) {
      const html = unit.repeat(Math.floor(bytes / unit.length)) + '<!doctype';
      expect(withBaseHref(html, BASE)).toBe(`<base href="${BASE}">${html}`);
    }
  });
});

describe('withPreviewHead', () => {
  const SHIM = '<script>shim()</script>';

  it("puts the base and then the shim first in <head>, before the page's own scripts", () => {
    expect(
      withPreviewHead('<html><head><script src="a.js"></script></head></html>', SHIM, BASE),
    ).toBe(`<html><head><base href="${BASE}">${SHIM}<script src="a.js"></script></head></html>`);
  });

  it('puts the shim before a script that comes before the head', () => {
    expect(withPreviewHead('<html><script>x()</script><head></head></html>', SHIM, BASE)).toBe(
      `<html>${SHIM}<script>x()</script><head><base href="${BASE}"></head></html>`,
    );
  });

  it('adds only the shim when no base is asked for', () => {
    expect(withPreviewHead('<!doctype html><p>hi</p><SCRIPT>x()</SCRIPT>', SHIM)).toBe(
      `<!doctype html>${SHIM}<p>hi</p><SCRIPT>x()</SCRIPT>`,
    );
  });

  it('adds a head holding base and shim when the only scripts are in the body', () => {
    expect(withPreviewHead('<html><body><script>x()</script></body></html>', SHIM, BASE)).toBe(
      `<html><head><base href="${BASE}">${SHIM}</head><body><script>x()</script></body></html>`,
    );
  });
});

describe('withCrossOriginScripts', () => {
  it('marks classic scripts loaded from the sandbox, whatever the quoting and case', () => {
    expect(
      withCrossOriginScripts(
        '<script src="js/app.js"></script><SCRIPT defer src=\'a.js\'></SCRIPT><script src=b.js></script>',
      ),
    ).toBe(
      '<script crossorigin src="js/app.js"></script><SCRIPT crossorigin defer src=\'a.js\'></SCRIPT>' +
        '<script crossorigin src=b.js></script>',
    );
  });

  it('leaves inline, external, root-relative and already marked scripts alone', () => {
    const html =
      '<script>x()</script><script src="https://cdn.example/x.js"></script>' +
      '<script src="//cdn.example/y.js"></script><script src="/z.js"></script>' +
      '<script src="c.js" crossorigin="anonymous"></script><scripts src="d.js">';
    expect(withCrossOriginScripts(html)).toBe(html);
  });

  it('does not touch "<script" inside a script\'s own text', () => {
    const html = "<script>document.write('<script src=\"x.js\"></' + 'script>')</script>";
    expect(withCrossOriginScripts(html)).toBe(html);
  });

  it('stops at an unclosed tag and keeps the rest as it is', () => {
    expect(withCrossOriginScripts('<script src="a.js"></script><script src="b.js"')).toBe(
      '<script crossorigin src="a.js"></script><script src="b.js"',
    );
  });
});
