/**
 * The matching behind edit_file. Every function here is linear (or bounded) in the file and the
 * pattern: files are whatever a model or a user wrote, and a quadratic scan of a repetitive 1 MiB
 * file once blocked a replica for minutes (see docs/reliability.md).
 */

/** A half-open range of characters in a text. */
export interface Span {
  start: number;
  end: number;
}

/** Knuth-Morris-Pratt failure table over any sequence with an equality test. */
function failureTable(length: number, same: (a: number, b: number) => boolean): Int32Array {
  const fail = new Int32Array(length);
  for (let i = 1, k = 0; i < length; i++) {
    while (k > 0 && !same(i, k)) {
      k = fail[k - 1];
    }
    if (same(i, k)) {
      k += 1;
    }
    fail[i] = k;
  }
  return fail;
}

/**
 * Where `needle` occurs in `haystack`. `overlapping` counts "aa" twice in "aaa" (a unique match must be
 * unambiguous); otherwise matches are taken left to right without overlap (what replace_all replaces).
 * Linear in both lengths.
 */
export function findAll(haystack: string, needle: string, overlapping: boolean): number[] {
  const fail = failureTable(needle.length, (a, b) => needle.charCodeAt(a) === needle.charCodeAt(b));
  const at: number[] = [];
  for (let i = 0, k = 0; i < haystack.length; i++) {
    while (k > 0 && haystack.charCodeAt(i) !== needle.charCodeAt(k)) {
      k = fail[k - 1];
    }
    if (haystack.charCodeAt(i) === needle.charCodeAt(k)) {
      k += 1;
    }
    if (k === needle.length) {
      at.push(i - needle.length + 1);
      k = overlapping ? fail[k - 1] : 0;
    }
  }
  return at;
}

/** A line compared without its indentation, trailing spaces or the width of its inner whitespace. */
export const normalize = (line: string) => line.trim().replace(/\s+/g, ' ');

/** Where each line of `text` starts (one entry per line, the first is 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    starts.push(i + 1);
  }
  return starts;
}

/** The text of each line (its newline excluded), given `lineStarts(text)`. */
export function lineTexts(text: string, starts: readonly number[]): string[] {
  return starts.map((s, i) => text.slice(s, i + 1 < starts.length ? starts[i + 1] - 1 : undefined));
}

/** Where line `i` ends (before its newline), given `lineStarts(text)`. */
export function lineEnd(text: string, starts: readonly number[], i: number): number {
  return i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
}

/** `lines` without the blank lines at both ends (a model often adds one around its block). */
export function trimBlankLines(lines: string[]): string[] {
  let from = 0;
  let to = lines.length;
  while (from < to && lines[from].trim() === '') {
    from += 1;
  }
  while (to > from && lines[to - 1].trim() === '') {
    to -= 1;
  }
  return lines.slice(from, to);
}

/**
 * Where the sequence `pattern` occurs in `keys` (the start indexes), one key per line. Keys become
 * integer ids first (a key unknown to the pattern is -1 without growing the map), then KMP over the
 * ids: linear in the characters of both. `overlapping` as in `findAll`.
 */
export function findKeyRuns(
  keys: readonly string[],
  pattern: readonly string[],
  overlapping: boolean,
): number[] {
  if (pattern.length === 0) {
    return [];
  }
  const ids = new Map<string, number>();
  for (const key of pattern) {
    if (!ids.has(key)) {
      ids.set(key, ids.size);
    }
  }
  const wanted = Int32Array.from(pattern, (key) => ids.get(key) ?? -1);
  const seen = Int32Array.from(keys, (key) => ids.get(key) ?? -1);
  const fail = failureTable(wanted.length, (a, b) => wanted[a] === wanted[b]);
  const at: number[] = [];
  for (let i = 0, k = 0; i < seen.length; i++) {
    while (k > 0 && seen[i] !== wanted[k]) {
      k = fail[k - 1];
    }
    if (seen[i] === wanted[k]) {
      k += 1;
    }
    if (k === wanted.length) {
      at.push(i - wanted.length + 1);
      k = overlapping ? fail[k - 1] : 0;
    }
  }
  return at;
}

/**
 * Whole-line matches of `needle` in `haystack` when whitespace is ignored at both ends of each line and
 * runs of it count as one space; blank lines at the needle's ends are dropped. Each span runs from the
 * first matched line's start to the last one's end (its newline excluded). Linear (`findKeyRuns`).
 * `overlapping` as in `findAll`.
 */
export function findAllIgnoringWhitespace(
  haystack: string,
  needle: string,
  overlapping: boolean,
): Span[] {
  const wanted = trimBlankLines(needle.split('\n')).map(normalize);
  const starts = lineStarts(haystack);
  const runs = findKeyRuns(lineTexts(haystack, starts).map(normalize), wanted, overlapping);
  return runs.map((first) => ({
    start: starts[first],
    end: lineEnd(haystack, starts, first + wanted.length - 1),
  }));
}

/** Character pairs of a normalised line, the unit of the similarity below. */
function bigrams(line: string): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i + 1 < line.length; i++) {
    out.add(line.slice(i, i + 2));
  }
  return out;
}

/** Lines of a window shown to the model, each with its 1-based number. */
export function numbered(text: string, starts: number[], from: number, to: number): string {
  const out: string[] = [];
  for (let i = Math.max(0, from); i <= Math.min(to, starts.length - 1); i++) {
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
    out.push(`${i + 1}| ${text.slice(starts[i], end)}`);
  }
  return out.join('\n');
}

/** How many file lines the closest-lines search reads at most, and how many it shows. */
const MAX_SCANNED_LINES = 20_000;
const MAX_SHOWN_LINES = 20;

/**
 * The lines of `text` most like `needle`, numbered, for a missed edit: the file line most similar
 * (Dice coefficient of character pairs) to the needle's longest line, with the needle's extent around
 * it. Linear in the scanned characters; null when nothing is alike at all.
 */
export function closestLines(text: string, needle: string): string | null {
  const wanted = needle.split('\n');
  let anchor = 0;
  for (let i = 1; i < wanted.length; i++) {
    if (normalize(wanted[i]).length > normalize(wanted[anchor]).length) {
      anchor = i;
    }
  }
  const target = bigrams(normalize(wanted[anchor]).slice(0, 2000));
  if (target.size === 0) {
    return null;
  }
  const starts = lineStarts(text);
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < Math.min(starts.length, MAX_SCANNED_LINES); i++) {
    const end = i + 1 < starts.length ? starts[i + 1] - 1 : text.length;
    const line = bigrams(normalize(text.slice(starts[i], Math.min(end, starts[i] + 2000))));
    let shared = 0;
    for (const pair of line) {
      if (target.has(pair)) {
        shared += 1;
      }
    }
    const score = line.size === 0 ? 0 : (2 * shared) / (line.size + target.size);
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
  }
  if (best === -1 || bestScore < 0.3) {
    return null;
  }
  const from = best - anchor - 1;
  const to = Math.min(from + wanted.length + 1, from + MAX_SHOWN_LINES - 1);
  return numbered(text, starts, from, to);
}
