import {
  FILENAME_DESCRIPTION,
  stringArg,
  ToolArgumentError,
  type AgentTool,
} from '../agent-tool.js';
import type { Placement } from './indentation-match.js';
import { locate, type Edit, type MatchKind } from './locate-edit.js';
import { lineStarts, numbered, type Span } from './text-match.js';

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
      '(unless replace_all). Whole lines are best: the fallbacks below match whole lines.',
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

/** Puts each placement's text over its span (sorted, disjoint); returns the content and where each sits. */
function splice(content: string, placements: Placement[]): { content: string; placed: Span[] } {
  const parts: string[] = [];
  const placed: Span[] = [];
  let from = 0;
  let length = 0;
  for (const { span, text } of placements) {
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
    'Matching tries, in order: exact; the same lines indented differently (new_string is shifted ' +
    'alike); lines ignoring whitespace; with escapes like \\n or \\" undone; a block whose first and ' +
    'last lines match and whose middle is similar. More than one match is refused. The result says ' +
    'which matched and shows the changed lines with their numbers; a miss shows the closest lines.',
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
    const results: { match: MatchKind; replacements: number; similarity?: number }[] = [];
    for (const [i, edit] of edits.entries()) {
      const found = locate(content, edit, filename);
      if ('problem' in found) {
        const which = edits.length > 1 ? `edit ${i + 1} of ${edits.length}: ` : '';
        const none = edits.length > 1 ? '. Nothing was changed' : '';
        return { ok: false, error: `${which}${found.problem}${none}` };
      }
      const next = splice(content, found.placements);
      shift(
        changed,
        found.placements.map((p) => p.span),
        next.placed,
      );
      changed.push(...next.placed);
      content = next.content;
      const { match, similarity } = found;
      results.push({
        match,
        replacements: found.placements.length,
        ...(similarity === undefined ? {} : { similarity }),
      });
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
