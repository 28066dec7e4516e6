import { FILENAME_DESCRIPTION, stringArg, type AgentTool } from '../agent-tool.js';

export const writeFileTool: AgentTool = {
  name: 'write_file',
  description:
    'Create a file in the site sandbox, or replace it entirely. Use edit_file for small changes to an existing file.',
  parameters: {
    type: 'object',
    properties: {
      filename: { type: 'string', description: FILENAME_DESCRIPTION },
      content: {
        type: 'string',
        description: 'The complete new content of the file (UTF-8 text).',
      },
    },
    required: ['filename', 'content'],
    additionalProperties: false,
  },
  bulkyKeys: ['content'],
  async execute(args, { sandbox, scope }) {
    const saved = await sandbox.write(
      scope,
      stringArg(args, 'filename'),
      stringArg(args, 'content'),
    );
    return { ok: true, filename: saved.filename, size: saved.size, version: saved.version };
  },
};
