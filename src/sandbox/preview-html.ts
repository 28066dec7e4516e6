/** Escapes a value for a double-quoted HTML attribute. */
const attr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Where the first `<name>` or `<name …>` opening tag of `html` ends, or -1. Linear in the input: a
 * backtracking pattern such as `/<head(\s[^>]*)?>/` rescans the rest of the document from every
 * unclosed `<head ` and took seconds on 100 KB of them, freezing the replica.
 */
function openingTagEnd(html: string, name: 'head' | 'html'): number {
  // A literal and one character class: irregexp finds the first candidate in one pass.
  const start = new RegExp(`<${name}[\\s>]`, 'i').exec(html);
  if (!start) {
    return -1;
  }
  // Attributes run to the first '>'; with none left, no later candidate can close either.
  const close = html.indexOf('>', start.index + name.length + 1);
  return close === -1 ? -1 : close + 1;
}

/** Where a leading `<!doctype …>` ends, else 0. */
function doctypeEnd(html: string): number {
  let at = 0;
  while (at < html.length && /\s/.test(html[at])) {
    at += 1;
  }
  if (html.slice(at, at + 9).toLowerCase() !== '<!doctype') {
    return 0;
  }
  const close = html.indexOf('>', at + 9);
  return close === -1 ? 0 : close + 1;
}

/**
 * Puts a `<base href>` first in the document's head so its relative links (`style.css`, `js/app.js`)
 * resolve under the tokenised asset path whatever URL the page itself was opened at.
 * The first `<base>` in a document wins, so a page's own base element is overridden.
 */
export function withBaseHref(html: string, href: string): string {
  const tag = `<base href="${attr(href)}">`;
  const head = openingTagEnd(html, 'head');
  if (head !== -1) {
    return html.slice(0, head) + tag + html.slice(head);
  }
  const root = openingTagEnd(html, 'html');
  if (root !== -1) {
    return `${html.slice(0, root)}<head>${tag}</head>${html.slice(root)}`;
  }
  const at = doctypeEnd(html);
  return html.slice(0, at) + tag + html.slice(at);
}
