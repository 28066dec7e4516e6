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

/** Where the first `<script>` opening tag starts, or -1 (one literal and a class: one pass). */
const firstScript = (html: string) => /<script[\s>]/i.exec(html)?.index ?? -1;

/** Where tags that belong first in the head go, and how they are wrapped there (on the original text). */
function headSlot(html: string): { at: number; open: string; close: string } {
  const head = openingTagEnd(html, 'head');
  if (head !== -1) {
    return { at: head, open: '', close: '' };
  }
  const root = openingTagEnd(html, 'html');
  if (root !== -1) {
    return { at: root, open: '<head>', close: '</head>' };
  }
  return { at: doctypeEnd(html), open: '', close: '' };
}

/** Inserts `tags` first in the document's head, adding a head (after a doctype) when it has none. */
function intoHead(html: string, tags: string): string {
  const { at, open, close } = headSlot(html);
  return html.slice(0, at) + open + tags + close + html.slice(at);
}

/**
 * Puts a `<base href>` first in the document's head so its relative links (`style.css`, `js/app.js`)
 * resolve under the tokenised asset path whatever URL the page itself was opened at.
 * The first `<base>` in a document wins, so a page's own base element is overridden.
 */
export function withBaseHref(html: string, href: string): string {
  return intoHead(html, `<base href="${attr(href)}">`);
}

/**
 * What a served preview page gets: the `<base href>` (when given) first in its head, and `script`
 * before the page's first script, so the page's own code already finds what the script sets up.
 * Two linear scans (the head and the first `<script`), then one splice each.
 */
export function withPreviewHead(html: string, script: string, baseHref?: string): string {
  const base = baseHref === undefined ? '' : `<base href="${attr(baseHref)}">`;
  const slot = headSlot(html);
  const script0 = firstScript(html);
  // Both places are found on the original text, then spliced in order.
  if (script0 === -1 || slot.at <= script0) {
    return html.slice(0, slot.at) + slot.open + base + script + slot.close + html.slice(slot.at);
  }
  // A script before the head (or a document without one) must still come after the shim.
  const head = base ? slot.open + base + slot.close : '';
  return (
    html.slice(0, script0) + script + html.slice(script0, slot.at) + head + html.slice(slot.at)
  );
}

/** `src` of a script tag's attributes, or null. */
const srcOf = (attrs: string) => {
  const m = /\bsrc\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(attrs);
  return m ? (m[1] ?? m[2] ?? m[3]) : null;
};

/** A relative URL: the sandbox's own file, served with `Access-Control-Allow-Origin: *`. */
const isSandboxUrl = (url: string) => !/^(?:[a-z][a-z0-9+.-]*:|\/)/i.test(url.trim());

/**
 * Adds `crossorigin` to `<script src>` tags that load sandbox files. The page's origin is opaque, so
 * every file is cross-origin to it, and a browser hides the errors of a cross-origin classic script
 * ("Script error.", no file or line) unless it was fetched in CORS mode. External scripts are left
 * alone (their server may not answer CORS). One pass: each tag's end and its script's end are found
 * with indexOf, and the search goes on after them.
 */
export function withCrossOriginScripts(html: string): string {
  const open = /<script(?=[\s>/])/gi;
  const close = /<\/script/gi;
  let out = '';
  let from = 0;
  for (let m = open.exec(html); m !== null; m = open.exec(html)) {
    const tagEnd = html.indexOf('>', m.index);
    if (tagEnd === -1) {
      break;
    }
    const at = m.index + '<script'.length;
    const attrs = html.slice(at, tagEnd);
    const src = srcOf(attrs);
    if (src !== null && isSandboxUrl(src) && !/\bcrossorigin\b/i.test(attrs)) {
      out += `${html.slice(from, at)} crossorigin`;
      from = at;
    }
    // A script's text may hold "<script" in a string: carry on after its end tag.
    close.lastIndex = tagEnd + 1;
    const end = close.exec(html);
    if (end === null) {
      break;
    }
    open.lastIndex = end.index + 1;
  }
  return out + html.slice(from);
}
