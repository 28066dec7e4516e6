/** Escapes a value for a double-quoted HTML attribute. */
const attr = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/**
 * Puts a `<base href>` first in the document's head so its relative links (`style.css`, `js/app.js`)
 * resolve under the tokenised asset path whatever URL the page itself was opened at.
 * The first `<base>` in a document wins, so a page's own base element is overridden.
 */
export function withBaseHref(html: string, href: string): string {
  const tag = `<base href="${attr(href)}">`;
  const head = /<head(\s[^>]*)?>/i.exec(html);
  if (head) {
    const at = head.index + head[0].length;
    return html.slice(0, at) + tag + html.slice(at);
  }
  const root = /<html(\s[^>]*)?>/i.exec(html);
  if (root) {
    const at = root.index + root[0].length;
    return `${html.slice(0, at)}<head>${tag}</head>${html.slice(at)}`;
  }
  const doctype = /^\s*<!doctype[^>]*>/i.exec(html);
  const at = doctype ? doctype[0].length : 0;
  return html.slice(0, at) + tag + html.slice(at);
}
