import {
  findKeyRuns,
  lineEnd,
  lineStarts,
  lineTexts,
  trimBlankLines,
  type Span,
} from './text-match.js';

/** One place an edit matched, with the text that goes there. */
export interface Placement {
  span: Span;
  text: string;
}

const indentOf = (line: string) => line.length - line.trimStart().length;

/**
 * Per line: its indentation's change from the previous non-blank line, then its trimmed text. Within
 * a block the previous non-blank line is the same one in the file and in the needle (blank lines must
 * line up), so equal keys mean the same relative indentation. Widths are counted in characters.
 */
function relativeKeys(lines: readonly string[]): string[] {
  let previous = 0;
  return lines.map((line) => {
    const text = line.trim();
    if (text === '') {
      return '0 ';
    }
    const indent = indentOf(line);
    const key = `${indent - previous} ${text}`;
    previous = indent;
    return key;
  });
}

/** `text` moved right by `prefix` (when `shift` > 0) or left by `-shift` characters of indentation. */
function reindent(text: string, shift: number, prefix: string): string {
  if (shift === 0) {
    return text;
  }
  return text
    .split('\n')
    .map((line) => {
      if (line.trim() === '') {
        return line;
      }
      return shift > 0 ? prefix + line : line.slice(Math.min(-shift, indentOf(line)));
    })
    .join('\n');
}

/**
 * Aider's relative-indent matching (`replace_part_with_missing_leading_whitespace`): whole lines of
 * `content` equal to the needle's once leading and trailing whitespace is set aside, whose indentation
 * differs from the needle's by one uniform amount. Models often drop or add a level of indentation on
 * the whole block; the replacement then gets the same shift, so the file keeps its own indentation.
 *
 * Linear: one KMP pass over the lines' trimmed texts finds where the text matches, a second over
 * (relative indent, text) keys of the needle's lines after its first finds where the shape matches;
 * a start is a match when both agree. `overlapping` as in `findAll`.
 */
export function findReindented(
  content: string,
  needle: string,
  replacement: string,
  overlapping: boolean,
): Placement[] {
  const wanted = trimBlankLines(needle.split('\n'));
  if (wanted.length === 0) {
    return [];
  }
  const starts = lineStarts(content);
  const lines = lineTexts(content, starts);
  const byText = findKeyRuns(
    lines.map((l) => l.trim()),
    wanted.map((l) => l.trim()),
    true,
  );
  if (byText.length === 0) {
    return [];
  }
  // The first line's own indentation is free (that is the shift); the rest must keep their shape.
  const shaped = new Uint8Array(lines.length + 1);
  for (const at of findKeyRuns(relativeKeys(lines), relativeKeys(wanted).slice(1), true)) {
    shaped[at] = 1;
  }
  const out: Placement[] = [];
  let free = 0;
  for (const first of byText) {
    if ((wanted.length > 1 && !shaped[first + 1]) || (!overlapping && first < free)) {
      continue;
    }
    const last = first + wanted.length - 1;
    const shift = indentOf(lines[first]) - indentOf(wanted[0]);
    out.push({
      span: { start: starts[first], end: lineEnd(content, starts, last) },
      text: reindent(replacement, shift, lines[first].slice(0, Math.max(0, shift))),
    });
    free = last + 1;
  }
  return out;
}
