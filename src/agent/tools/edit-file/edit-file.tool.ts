import {
  FILENAME_DESCRIPTION,
  stringArg,
  ToolArgumentError,
  type AgentTool,
} from '../agent-tool.js';

/**
 * Counts occurrences of `needle`, overlapping ones too ("aa" is in "aaa" twice): a match must be unambiguous.
 * Knuth-Morris-Pratt, linear in both lengths: calling indexOf again from every match was quadratic, and a
 * repetitive 1 MiB file with a half-file old_string took minutes, blocking the replica.
 */
function occurrences(haystack: string, needle: string): number {
  // fail[i]: length of the longest proper prefix of needle[0..i] that is also its suffix.
  const fail = new Int32Array(needle.length);
  for (let i = 1, k = 0; i < needle.length; i++) {
    while (k > 0 && needle.charCodeAt(i) !== needle.charCodeAt(k)) {
      k = fail[k - 1];
    }
    if (needle.charCodeAt(i) === needle.charCodeAt(k)) {
      k += 1;
    }
    fail[i] = k;
  }
  let count = 0;
  for (let i = 0, k = 0; i < haystack.length; i++) {
    while (k > 0 && haystack.charCodeAt(i) !== needle.charCodeAt(k)) {
      k = fail[k - 1];
    }
    if (haystack.charCodeAt(i) === needle.charCodeAt(k)) {
      k += 1;
    }
    if (k === needle.length) {
      count += 1;
      k = fail[k - 1];
    }
  }
  return count;
}

export const editFileTool: AgentTool = {
  name: 'edit_file',
  description:
    'Replace one exact piece of text in an existing file. old_string must appear exactly once in the file; ' +
    'include enough surrounding lines to make it unique. Cheaper than rewriting the whole file.',
  parameters: {
    type: 'object',
    properties: {
      filename: { type: 'string', description: FILENAME_DESCRIPTION },
      old_string: {
        type: 'string',
        description:
          'The exact text to replace, including whitespace and indentation; must occur exactly once.',
      },
      new_string: {
        type: 'string',
        description: 'The text to put in its place (may be empty to delete it).',
      },
    },
    required: ['filename', 'old_string', 'new_string'],
    additionalProperties: false,
  },
  bulkyKeys: ['old_string', 'new_string'],
  async execute(args, { sandbox, scope }) {
    const filename = stringArg(args, 'filename');
    const oldString = stringArg(args, 'old_string');
    const newString = stringArg(args, 'new_string');
    if (oldString === '') {
      throw new ToolArgumentError(
        '"old_string" must not be empty; use write_file to create a file',
      );
    }
    const file = await sandbox.readText(scope, filename);
    const found = occurrences(file.content, oldString);
    if (found !== 1) {
      return {
        ok: false,
        error:
          found === 0
            ? `old_string was not found in ${filename}; read the file and copy the text exactly`
            : `old_string occurs ${found} times in ${filename}; include more context so it is unique`,
      };
    }
    const at = file.content.indexOf(oldString);
    const content =
      file.content.slice(0, at) + newString + file.content.slice(at + oldString.length);
    const saved = await sandbox.write(scope, filename, content);
    return { ok: true, filename: saved.filename, size: saved.size, version: saved.version };
  },
};
