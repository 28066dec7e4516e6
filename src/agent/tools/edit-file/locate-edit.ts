import { findByAnchors, MAX_ANCHOR_CANDIDATES } from './anchor-match.js';
import { unescapeText } from './escape-match.js';
import { findReindented, type Placement } from './indentation-match.js';
import { closestLines, findAll, findAllIgnoringWhitespace } from './text-match.js';

/** One replacement the model asked for. */
export interface Edit {
  oldString: string;
  newString: string;
  replaceAll: boolean;
}

/**
 * How an edit found its text, strictest first: each strategy runs only when the ones before it found
 * nothing, so a loose one never wins over a precise one, and the first that finds anything decides
 * (more than one place and no replace_all: refused, never guessed).
 */
export type MatchKind =
  | 'exact'
  | 'indentation-tolerant'
  | 'whitespace-insensitive'
  | 'escape-normalized'
  | 'block-anchors';

export interface Located {
  placements: Placement[];
  match: MatchKind;
  /** block-anchors only: how alike the middle lines were (0..1). */
  similarity?: number;
}

const unique = (filename: string) => `in ${filename}; include more context so it is unique`;

/** The places an edit replaces in `content` and the text for each, or why it cannot be applied. */
export function locate(
  content: string,
  edit: Edit,
  filename: string,
): Located | { problem: string } {
  const { oldString, newString, replaceAll } = edit;
  const at = (spans: { start: number; end: number }[], text: string) =>
    spans.map((span) => ({ span, text }));

  const exact = findAll(content, oldString, !replaceAll);
  if (exact.length > 1 && !replaceAll) {
    return { problem: `old_string occurs ${exact.length} times ${unique(filename)}` };
  }
  if (exact.length > 0) {
    const n = oldString.length;
    return {
      placements: at(
        exact.map((s) => ({ start: s, end: s + n })),
        newString,
      ),
      match: 'exact',
    };
  }

  // The block as written but shifted left or right: the file keeps its indentation (aider).
  const shifted = findReindented(content, oldString, newString, !replaceAll);
  if (shifted.length > 1 && !replaceAll) {
    return {
      problem: `old_string matches ${shifted.length} places when indentation is ignored ${unique(filename)}`,
    };
  }
  if (shifted.length > 0) {
    return { placements: shifted, match: 'indentation-tolerant' };
  }

  const loose = findAllIgnoringWhitespace(content, oldString, !replaceAll);
  if (loose.length > 1 && !replaceAll) {
    return {
      problem: `old_string matches ${loose.length} places in ${filename} when whitespace is ignored; include more context so it is unique`,
    };
  }
  if (loose.length > 0) {
    return { placements: at(loose, newString), match: 'whitespace-insensitive' };
  }

  // Arguments encoded once too often: both strings get the same unescaping (OpenCode).
  const unescaped = unescapeText(oldString);
  if (unescaped !== oldString) {
    const hits = findAll(content, unescaped, !replaceAll);
    if (hits.length > 1 && !replaceAll) {
      return {
        problem: `old_string matches ${hits.length} places once its escapes (\\n, \\") are undone ${unique(filename)}`,
      };
    }
    if (hits.length > 0) {
      const n = unescaped.length;
      const spans = hits.map((s) => ({ start: s, end: s + n }));
      return { placements: at(spans, unescapeText(newString)), match: 'escape-normalized' };
    }
  }

  // First and last lines as anchors, the middle only similar (Cline): one place or none, never all.
  if (!replaceAll) {
    const anchored = findByAnchors(content, oldString);
    if (anchored.candidates > MAX_ANCHOR_CANDIDATES) {
      return {
        problem: `old_string was not found exactly, and its first and last lines enclose ${anchored.candidates} blocks of about its length ${unique(filename)}`,
      };
    }
    if (anchored.matches.length > 1) {
      return {
        problem: `old_string was not found exactly, and its first and last lines enclose ${anchored.matches.length} similar blocks ${unique(filename)}`,
      };
    }
    if (anchored.matches.length === 1) {
      const [{ span, similarity }] = anchored.matches;
      return { placements: [{ span, text: newString }], match: 'block-anchors', similarity };
    }
  }

  const closest = closestLines(content, oldString);
  return {
    problem:
      `old_string was not found in ${filename}` +
      (closest
        ? ` (not even ignoring whitespace); the closest lines are:\n${closest}\nCopy the text exactly from there`
        : '; read the file and copy the text exactly'),
  };
}
