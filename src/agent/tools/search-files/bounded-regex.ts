import { runInNewContext } from 'node:vm';

/** A pattern, or the time it may run, past which the model is asked for a simpler one. */
export const MAX_PATTERN_CHARS = 500;
export const SEARCH_TIME_MS = 250;
/** Matches listed, characters shown of each matching line. */
export const MAX_MATCHES = 100;
export const MAX_LINE_CHARS = 200;

export interface LineMatch {
  file: string;
  line: number;
  text: string;
}

/** Why a search could not run, worded for the model. */
export class SearchProblem extends Error {}

/**
 * Runs `code` in a fresh V8 context with a hard time limit. V8 interrupts a regular expression
 * that backtracks catastrophically (`(a+)+$` on "aaaa…b") at the limit, so a pattern written by a
 * model costs this replica at most SEARCH_TIME_MS per call, whatever it is.
 */
function bounded(code: string, globals: Record<string, unknown>): unknown {
  try {
    // JSON across the boundary: the result is plain data of this realm, not the sandbox's objects.
    return JSON.parse(runInNewContext(code, globals, { timeout: SEARCH_TIME_MS }) as string);
  } catch (err) {
    const e = err as { code?: string; name?: string; message?: string };
    if (e.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
      throw new SearchProblem(
        `The search took longer than ${SEARCH_TIME_MS} ms and was stopped; use a simpler pattern ` +
          '(no nested quantifiers such as (a+)+) or a narrower glob',
      );
    }
    if (e.name === 'SyntaxError') {
      throw new SearchProblem(`Invalid regular expression: ${e.message ?? ''}`);
    }
    throw err;
  }
}

/** `*.css`, `js/**` and `{a,b}` as a regular expression source over sandbox paths. */
export function globSource(glob: string): string {
  let out = '';
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` is any number of folders, `**` anything.
      out += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') {
      out += '[^/]*';
    } else if (c === '?') {
      out += '[^/]';
    } else if (c === '{') {
      braces += 1;
      out += '(?:';
    } else if (c === '}' && braces > 0) {
      braces -= 1;
      out += ')';
    } else if (c === ',' && braces > 0) {
      out += '|';
    } else {
      out += c.replace(/[.+^$(){}|[\]\\]/g, '\\$&');
    }
  }
  // A glob without a folder matches the file name at any depth, as ripgrep does.
  return glob.includes('/') ? `^${out}$` : `(?:^|/)${out}$`;
}

/** The names that match `glob` (bounded like the search: globs with many stars can backtrack too). */
export function filterByGlob(names: string[], glob: string): string[] {
  if (glob.length > MAX_PATTERN_CHARS) {
    throw new SearchProblem(`The glob is longer than ${MAX_PATTERN_CHARS} characters`);
  }
  return bounded(
    `JSON.stringify((() => { const re = new RegExp(source); return names.filter((n) => re.test(n)); })())`,
    { source: globSource(glob), names },
  ) as string[];
}

/** Every line of `files` that `pattern` matches, with 1-based line numbers, at most MAX_MATCHES. */
export function searchLines(
  files: { name: string; content: string }[],
  pattern: string,
): { matches: LineMatch[]; total: number } {
  if (pattern.length === 0 || pattern.length > MAX_PATTERN_CHARS) {
    throw new SearchProblem(`The pattern must be 1 to ${MAX_PATTERN_CHARS} characters`);
  }
  return bounded(
    `JSON.stringify((() => {
      const re = new RegExp(pattern);
      const matches = [];
      let total = 0;
      for (const f of files) {
        const text = f.content;
        let start = 0;
        for (let line = 1; start <= text.length; line++) {
          let end = text.indexOf('\\n', start);
          if (end === -1) end = text.length;
          const s = text.slice(start, end);
          if (re.test(s)) {
            total++;
            if (matches.length < max) {
              matches.push({ file: f.name, line, text: s.length > cut ? s.slice(0, cut) + '…' : s });
            }
          }
          start = end + 1;
        }
      }
      return { matches, total };
    })())`,
    { pattern, files, max: MAX_MATCHES, cut: MAX_LINE_CHARS },
  ) as { matches: LineMatch[]; total: number };
}
