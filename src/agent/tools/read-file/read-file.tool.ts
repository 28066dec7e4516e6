import { FILENAME_DESCRIPTION, stringArg, type AgentTool } from '../agent-tool.js';

export const readFileTool: AgentTool = {
  name: 'read_file',
  description: 'Read the full content of a file in the site sandbox.',
  parameters: {
    type: 'object',
    properties: { filename: { type: 'string', description: FILENAME_DESCRIPTION } },
    required: ['filename'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    const file = await sandbox.readText(scope, stringArg(args, 'filename'));
    return { ok: true, filename: file.filename, size: file.size, content: file.content };
  },
};
