import { contentTypeFor } from '../../../sandbox/content-type.js';
import {
  FILENAME_DESCRIPTION,
  stringArg,
  ToolArgumentError,
  type AgentTool,
  type ToolResult,
} from '../agent-tool.js';

/** Lines one call returns when the model names no `max_lines`. */
const DEFAULT_MAX_LINES = 2000;
/** Characters of numbered content one call returns, whatever `max_lines` says (about 12k tokens). */
const MAX_CHARS = 50_000;

/** A whole, positive integer argument, or the fallback when absent. */
function lineArg(args: Record<string, unknown>, key: string, fallback: number): number {
  const value = args[key];
  if (value === undefined || value === null) {
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new ToolArgumentError(`"${key}" must be a whole number ≥ 1`);
  }
  return value;
}

/**
 * Bytes that are not UTF-8 decode to U+FFFD, and text files hold no NUL: either means the model would
 * get garbage, so it gets the type and size instead.
 */
const looksBinary = (content: string) => content.includes('\u0000') || content.includes('\uFFFD');

export const readFileTool: AgentTool = {
  name: 'read_file',
  description:
    'Read a text file of the site sandbox. Lines come numbered ("12<TAB>text"); the numbers are not ' +
    'part of the file, so never copy them into edit_file. Long files come in parts: read on with ' +
    'start_line. Binary files (images, fonts) answer with their type and size only.',
  parameters: {
    type: 'object',
    properties: {
      filename: { type: 'string', description: FILENAME_DESCRIPTION },
      start_line: {
        type: 'integer',
        minimum: 1,
        description: 'First line to return, counting from 1 (default 1).',
      },
      max_lines: {
        type: 'integer',
        minimum: 1,
        description: `Most lines to return (default ${DEFAULT_MAX_LINES}; long results are cut shorter).`,
      },
    },
    required: ['filename'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  async execute(args, { sandbox, scope }): Promise<ToolResult> {
    const filename = stringArg(args, 'filename');
    const start = lineArg(args, 'start_line', 1);
    const maxLines = lineArg(args, 'max_lines', DEFAULT_MAX_LINES);
    const file = await sandbox.readText(scope, filename);
    if (looksBinary(file.content)) {
      return {
        ok: true,
        filename: file.filename,
        size: file.size,
        binary: true,
        type: contentTypeFor(file.filename).split(';')[0],
        note: 'This is a binary file; its content cannot be shown as text.',
      };
    }
    const lines = file.content.split('\n');
    // A final newline ends the last line; it does not start another.
    if (lines.length > 1 && lines.at(-1) === '') {
      lines.pop();
    }
    if (start > lines.length) {
      return {
        ok: false,
        error: `start_line ${start} is past the end of ${file.filename} (${lines.length} lines)`,
      };
    }
    const out: string[] = [];
    let chars = 0;
    let end = start - 1;
    for (; end < lines.length && end - start + 1 < maxLines; end++) {
      const numbered = `${end + 1}\t${lines[end]}`;
      if (out.length > 0 && chars + numbered.length + 1 > MAX_CHARS) {
        break;
      }
      // A single line longer than the whole budget is cut, so one minified file cannot flood the context.
      out.push(numbered.length > MAX_CHARS ? `${numbered.slice(0, MAX_CHARS)}…` : numbered);
      chars += numbered.length + 1;
    }
    const result: ToolResult = {
      ok: true,
      filename: file.filename,
      size: file.size,
      total_lines: lines.length,
      start_line: start,
      end_line: end,
      content: out.join('\n'),
    };
    if (end < lines.length) {
      const why =
        end - start + 1 >= maxLines ? `max_lines ${maxLines}` : 'the output was truncated';
      result.note = `Lines ${start}–${end} of ${lines.length} (${why}); read on with start_line: ${end + 1}.`;
    }
    return result;
  },
};
