import {
  FILENAME_DESCRIPTION,
  stringArg,
  ToolArgumentError,
  type AgentTool,
} from '../agent-tool.js';
import {
  closestLines,
  findAll,
  findAllIgnoringWhitespace,
  lineStarts,
  numbered,
  type Span,
} from './text-match.js';

/** One replacement the model asked for. */
interface Edit {
  oldString: string;
  newString: string;
  replaceAll: boolean;
}

/** How an edit found its text: exactly, or line by line ignoring whitespace. */
type MatchKind = 'exact' | 'whitespace-insensitive';

/** More edits than this in one call is a rewrite: write_file says so more cheaply. */
const MAX_EDITS = 50;
/** Lines of context shown around each change, and how many changes get a snippet. */
const CONTEXT_LINES = 2;
const MAX_SNIPPETS = 10;
const MAX_SNIPPET_LINES = 40;

const EDIT_FIELDS = {
  old_string: {
    type: 'string',
    description:
      'The text to replace, copied from the file with its indentation; it must occur exactly once ' +
      '(unless replace_all). If no exact match exists, whole lines are matched ignoring whitespace.',
  },
  new_string: {
    type: 'string',
    description: 'The text to put in its place (may be empty to delete it). Write it out in full.',
  },
  replace_all: {
    type: 'boolean',
    description: 'Replace every occurrence instead of requiring exactly one (default false).',
  },
};

function parseEdit(raw: unknown, where: string): Edit {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ToolArgumentError(`${where} must be an object with old_string and new_string`);
  }
  const args = raw as Record<string, unknown>;
  const oldString = stringArg(args, 'old_string');
  const newString = stringArg(args, 'new_string');
  const replaceAll = args.replace_all ?? false;
  if (typeof replaceAll !== 'boolean') {
    throw new ToolArgumentError(`"replace_all" of ${where} must be true or false`);
  }
  if (oldString === '') {
    throw new ToolArgumentError('"old_string" must not be empty; use write_file to create a file');
  }
  return { oldString, newString, replaceAll };
}

/** Either the single form (old_string/new_string/replace_all) or `edits: [...]`, never both. */
function parseEdits(args: Record<string, unknown>): Edit[] {
  if (args.edits === undefined) {
    return [parseEdit(args, 'the edit')];
  }
  if ('old_string' in args || 'new_string' in args) {
    throw new ToolArgumentError('Give either "edits" or old_string/new_string, not both');
  }
  if (!Array.isArray(args.edits) || args.edits.length === 0 || args.edits.length > MAX_EDITS) {
    throw new ToolArgumentError(`"edits" must be a list of 1 to ${MAX_EDITS} edits`);
  }
  return args.edits.map((e, i) => parseEdit(e, `edit ${i + 1}`));
}

/** The spans an edit replaces in `content`, or why it cannot be applied. */
function locate(
  content: string,
  edit: Edit,
  filename: string,
): { spans: Span[]; match: MatchKind } | { problem: string } {
  const exact = findAll(content, edit.oldString, !edit.replaceAll);
  if (exact.length > 0) {
    if (exact.length > 1 && !edit.replaceAll) {
      return {
        problem: `old_string occurs ${exact.length} times in ${filename}; include more context so it is unique`,
      };
    }
    const n = edit.oldString.length;
    return { spans: exact.map((start) => ({ start, end: start + n })), match: 'exact' };
  }
  const loose = findAllIgnoringWhitespace(content, edit.oldString, !edit.replaceAll);
  if (loose.length > 1 && !edit.replaceAll) {
    return {
      problem: `old_string matches ${loose.length} places in ${filename} when whitespace is ignored; include more context so it is unique`,
    };
  }
  if (loose.length > 0) {
    return { spans: loose, match: 'whitespace-insensitive' };
  }
  const closest = closestLines(content, edit.oldString);
  return {
    problem:
      `old_string was not found in ${filename}` +
      (closest
        ? ` (not even ignoring whitespace); the closest lines are:\n${closest}\nCopy the text exactly from there`
        : '; read the file and copy the text exactly'),
  };
}

/** Replaces `spans` (sorted, disjoint) with `text`; returns the new content and where each copy sits. */
function splice(content: string, spans: Span[], text: string): { content: string; placed: Span[] } {
  const parts: string[] = [];
  const placed: Span[] = [];
  let from = 0;
  let length = 0;
  for (const span of spans) {
    parts.push(content.slice(from, span.start));
    length += span.start - from;
    placed.push({ start: length, end: length + text.length });
    parts.push(text);
    length += text.length;
    from = span.end;
  }
  parts.push(content.slice(from));
  return { content: parts.join(''), placed };
}

/** Moves earlier changes' spans by what a later change did before or over them. */
function shift(changed: Span[], removed: Span[], placed: Span[]): void {
  for (const span of changed) {
    let delta = 0;
    for (let i = 0; i < removed.length && removed[i].start < span.start; i++) {
      delta += placed[i].end - placed[i].start - (removed[i].end - removed[i].start);
    }
    span.start = Math.max(0, span.start + delta);
    span.end = Math.max(span.start, span.end + delta);
  }
}

/** A few numbered lines around each change (the first MAX_SNIPPETS), so the model need not re-read. */
function snippets(content: string, changed: Span[]): string {
  const starts = lineStarts(content);
  const lineOf = (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) {
        lo = mid;
      } else {
        hi = mid - 1;
      }
    }
    return lo;
  };
  const windows = [...changed]
    .sort((a, b) => a.start - b.start)
    .slice(0, MAX_SNIPPETS)
    // A change ending in a newline ends on that line, not the next.
    .map((s) => [
      lineOf(s.start) - CONTEXT_LINES,
      lineOf(Math.max(s.start, s.end - 1)) + CONTEXT_LINES,
    ]);
  const merged: number[][] = [];
  for (const w of windows) {
    const last = merged[merged.length - 1];
    if (last && w[0] <= last[1] + 1) {
      last[1] = Math.max(last[1], w[1]);
    } else {
      merged.push(w);
    }
  }
  return merged
    .map(([from, to]) =>
      to - from + 1 > MAX_SNIPPET_LINES
        ? `${numbered(content, starts, from, from + MAX_SNIPPET_LINES - 1)}\n…`
        : numbered(content, starts, from, to),
    )
    .join('\n---\n');
}

export const editFileTool: AgentTool = {
  name: 'edit_file',
  description:
    'Change part of an existing file without rewriting it. Give old_string/new_string for one change, ' +
    'or "edits" for several changes to the same file, applied in order and all or nothing. Each ' +
    'old_string must occur exactly once (add surrounding lines to make it unique) unless replace_all. ' +
    'An exact match is tried first, then whole lines ignoring whitespace; the result says which, and ' +
    'shows the changed lines with their numbers. A miss shows the closest lines of the file.',
  parameters: {
    type: 'object',
    properties: {
      filename: { type: 'string', description: FILENAME_DESCRIPTION },
      ...EDIT_FIELDS,
      edits: {
        type: 'array',
        description:
          'Several changes to this file, applied in order, each to the result of the previous; if any ' +
          'fails nothing is written. Use instead of old_string/new_string.',
        items: {
          type: 'object',
          properties: EDIT_FIELDS,
          required: ['old_string', 'new_string'],
          additionalProperties: false,
        },
      },
    },
    required: ['filename'],
    additionalProperties: false,
  },
  bulkyKeys: ['old_string', 'new_string'],
  async execute(args, { sandbox, scope }) {
    const filename = stringArg(args, 'filename');
    const edits = parseEdits(args);
    const file = await sandbox.readText(scope, filename);
    let content = file.content;
    const changed: Span[] = [];
    const results: { match: MatchKind; replacements: number }[] = [];
    for (const [i, edit] of edits.entries()) {
      const found = locate(content, edit, filename);
      if ('problem' in found) {
        const which = edits.length > 1 ? `edit ${i + 1} of ${edits.length}: ` : '';
        const none = edits.length > 1 ? '. Nothing was changed' : '';
        return { ok: false, error: `${which}${found.problem}${none}` };
      }
      const next = splice(content, found.spans, edit.newString);
      shift(changed, found.spans, next.placed);
      changed.push(...next.placed);
      content = next.content;
      results.push({ match: found.match, replacements: found.spans.length });
    }
    const saved = await sandbox.write(scope, filename, content);
    return {
      ok: true,
      filename: saved.filename,
      size: saved.size,
      version: saved.version,
      edits: results,
      changed_lines: snippets(content, changed),
    };
  },
};
