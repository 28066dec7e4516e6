/** The escapes a model leaves in text it encoded once too often: `\n`, `\t`, `\r`, quotes, `\\`, `\$`. */
const ESCAPE = /\\(n|t|r|'|"|`|\\|\n|\$)/g;
const UNESCAPED: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\n': '\n' };

/**
 * `text` with one level of escaping undone, as OpenCode's EscapeNormalizedReplacer does: a model that
 * double-encodes its arguments sends `<a class=\"x\">` or `line\nline` with a literal backslash for
 * text the file holds as `<a class="x">` or two lines. One left-to-right pass of a regex without
 * backtracking: linear.
 */
export function unescapeText(text: string): string {
  return text.replace(ESCAPE, (_, c: string) => UNESCAPED[c] ?? c);
}
