import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Diffs are given for UTF-8 text up to this size (both sides), as the contract says. */
export const MAX_DIFF_BYTES = 256 * 1024;

/** A diff that takes longer than this is given up (null) rather than holding the request. */
const DIFF_TIMEOUT_MS = 2000;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The content as text when it is UTF-8 without NUL bytes (what a diff can show), else null. */
function asText(content: Buffer | null): string | null {
  if (content === null) {
    return '';
  }
  if (content.length > MAX_DIFF_BYTES || content.includes(0)) {
    return null;
  }
  try {
    return utf8.decode(content);
  } catch {
    return null;
  }
}

/**
 * A unified diff from `before` to `after` (null: the file did not exist on that side), with
 * `a/`/`b/` headers as git writes them; null for binary or large contents.
 */
export function unifiedDiff(
  path: string,
  before: Buffer | null,
  after: Buffer | null,
): string | null {
  const oldText = asText(before);
  const newText = asText(after);
  if (oldText === null || newText === null) {
    return null;
  }
  const patch = createTwoFilesPatch(
    before === null ? '/dev/null' : `a/${path}`,
    after === null ? '/dev/null' : `b/${path}`,
    oldText,
    newText,
    undefined,
    undefined,
    { headerOptions: FILE_HEADERS_ONLY, timeout: DIFF_TIMEOUT_MS },
  );
  return patch ?? null;
}
