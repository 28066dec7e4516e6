import { contentTypeFor } from '../../../sandbox/content-type.js';
import { stringArg, ToolArgumentError, type AgentTool } from '../agent-tool.js';
import {
  filterByGlob,
  MAX_MATCHES,
  SearchProblem,
  searchLines,
  SEARCH_TIME_MS,
} from './bounded-regex.js';

/** How much text one search reads at most (the sandbox may hold far more). */
const MAX_SCANNED_BYTES = 8 * 1024 * 1024;

const isText = (name: string) => /^text\/|javascript|json|xml|svg/.test(contentTypeFor(name));

export const searchFilesTool: AgentTool = {
  name: 'search_files',
  description:
    'Search the text files of the sandbox for a JavaScript regular expression, line by line; answers ' +
    `each matching line with its file and line number (at most ${MAX_MATCHES}). Use it to find where ` +
    'something is defined or used instead of reading every file. The search stops after ' +
    `${SEARCH_TIME_MS} ms.`,
  parameters: {
    type: 'object',
    properties: {
      pattern: {
        type: 'string',
        description:
          'A JavaScript regular expression matched against each line, e.g. "class=\\"hero" or ' +
          '"function\\\\s+init"; case-sensitive; escape regex characters to search for them literally.',
      },
      glob: {
        type: 'string',
        description:
          'Only search files whose path matches this glob, e.g. "*.css", "js/**/*.js" or ' +
          '"*.{html,js}"; a glob without "/" matches the file name in any folder. Default: every file.',
      },
    },
    required: ['pattern'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    const pattern = stringArg(args, 'pattern');
    const glob =
      args.glob === undefined || args.glob === null ? undefined : stringArg(args, 'glob');
    try {
      const listing = await sandbox.list(scope);
      let names = listing.files.map((f) => f.name).filter(isText);
      if (glob !== undefined && glob !== '') {
        names = filterByGlob(names, glob);
      }
      const sizes = new Map(listing.files.map((f) => [f.name, f.size]));
      const files: { name: string; content: string }[] = [];
      let bytes = 0;
      let skipped = 0;
      for (const name of names) {
        bytes += sizes.get(name) ?? 0;
        if (bytes > MAX_SCANNED_BYTES) {
          skipped += 1;
          continue;
        }
        files.push({ name, content: (await sandbox.readText(scope, name)).content });
      }
      const found = searchLines(files, pattern);
      return {
        ok: true,
        matches: found.matches,
        total_matches: found.total,
        files_searched: files.length,
        ...(found.total > found.matches.length
          ? { note: `Only the first ${found.matches.length} matches are listed; narrow the search` }
          : {}),
        ...(skipped > 0 ? { files_skipped: skipped } : {}),
      };
    } catch (err) {
      if (err instanceof SearchProblem) {
        throw new ToolArgumentError(err.message);
      }
      throw err;
    }
  },
};
