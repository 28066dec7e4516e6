import {
  lineEnd,
  lineStarts,
  lineTexts,
  normalize,
  trimBlankLines,
  type Span,
} from './text-match.js';

/** Blocks shorter than this have no middle worth comparing: anchors alone would be a guess. */
const MIN_LINES = 3;
/** How similar (Dice coefficient of character pairs) the middle lines must be to count as a match. */
export const ANCHOR_SIMILARITY = 0.5;
/** The share of the needle's middle lines that must be in the block unchanged (ignoring whitespace). */
const KEPT_LINES = 0.5;
/** More anchor pairs than this and the anchors are not distinctive: no similarity is computed. */
export const MAX_ANCHOR_CANDIDATES = 32;
/** Middles longer than this (characters, either side) are not compared: bounds the work per pair. */
const MAX_SIMILARITY_CHARS = 20_000;

export interface AnchorMatch {
  span: Span;
  similarity: number;
}

/** `matches` passed the similarity threshold; `candidates` is how many anchor pairs were found. */
export interface AnchorResult {
  matches: AnchorMatch[];
  candidates: number;
}

/** Dice coefficient of the character-pair multisets of `a` and `b`: linear in both. */
function dice(a: string, b: string): number {
  if (a.length < 2 || b.length < 2) {
    return a === b ? 1 : 0;
  }
  const counts = new Map<string, number>();
  for (let i = 0; i + 1 < a.length; i++) {
    const pair = a.slice(i, i + 2);
    counts.set(pair, (counts.get(pair) ?? 0) + 1);
  }
  let shared = 0;
  for (let i = 0; i + 1 < b.length; i++) {
    const pair = b.slice(i, i + 2);
    const left = counts.get(pair) ?? 0;
    if (left > 0) {
      counts.set(pair, left - 1);
      shared += 1;
    }
  }
  return (2 * shared) / (a.length - 1 + b.length - 1);
}

/** The share of the non-blank lines of `wanted` found in `block` (as a multiset): linear. */
function keptLines(wanted: readonly string[], block: readonly string[]): number {
  const counts = new Map<string, number>();
  let total = 0;
  for (const line of wanted) {
    if (line !== '') {
      counts.set(line, (counts.get(line) ?? 0) + 1);
      total += 1;
    }
  }
  let kept = 0;
  for (const line of block) {
    const left = counts.get(line) ?? 0;
    if (left > 0) {
      counts.set(line, left - 1);
      kept += 1;
    }
  }
  return total === 0 ? 1 : kept / total;
}

/**
 * Cline's block-anchor fallback (`blockAnchorFallbackMatch` in its diff.ts), with OpenCode's
 * similarity check on the middle: a block of `content` whose first and last lines equal the needle's
 * (ignoring whitespace) and whose middle is similar enough: at least half of the needle's middle lines
 * are in it unchanged (OpenCode's ContextAwareReplacer; so a one-line middle that differs is a miss,
 * not a guess) and its characters are alike (Dice coefficient). The block has the needle's length
 * or, failing that, ends at the next line like the last one within a quarter of that length (a model
 * that misremembers a block often adds or drops a line).
 *
 * Bounded: candidates are found in one pass over the lines (a next-occurrence table for the last
 * line); similarity is computed only when there are at most MAX_ANCHOR_CANDIDATES of them, each over
 * at most MAX_SIMILARITY_CHARS.
 */
export function findByAnchors(content: string, needle: string): AnchorResult {
  const wanted = trimBlankLines(needle.split('\n')).map(normalize);
  const none = { matches: [], candidates: 0 };
  if (wanted.length < MIN_LINES) {
    return none;
  }
  const middleLines = wanted.slice(1, -1);
  const middle = middleLines.join('\n');
  if (middle.length > MAX_SIMILARITY_CHARS) {
    return none;
  }
  const head = wanted[0];
  const tail = wanted[wanted.length - 1];
  const starts = lineStarts(content);
  const lines = lineTexts(content, starts).map(normalize);
  const next = new Int32Array(lines.length + 1).fill(-1);
  for (let i = lines.length - 1; i >= 0; i--) {
    next[i] = lines[i] === tail ? i : next[i + 1];
  }
  const slack = Math.max(1, Math.floor(wanted.length / 4));
  const pairs: [number, number][] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== head) {
      continue;
    }
    const same = i + wanted.length - 1;
    const last = same < lines.length && lines[same] === tail ? same : next[i + 1];
    if (last !== -1 && Math.abs(last - i + 1 - wanted.length) <= slack) {
      pairs.push([i, last]);
    }
  }
  if (pairs.length === 0 || pairs.length > MAX_ANCHOR_CANDIDATES) {
    return { matches: [], candidates: pairs.length };
  }
  const matches: AnchorMatch[] = [];
  for (const [first, last] of pairs) {
    const block = lines.slice(first + 1, last);
    const between = block.join('\n');
    if (between.length > MAX_SIMILARITY_CHARS || keptLines(middleLines, block) < KEPT_LINES) {
      continue;
    }
    const similarity = dice(middle, between);
    if (similarity >= ANCHOR_SIMILARITY) {
      matches.push({
        span: { start: starts[first], end: lineEnd(content, starts, last) },
        similarity: Math.round(similarity * 100) / 100,
      });
    }
  }
  return { matches, candidates: pairs.length };
}
