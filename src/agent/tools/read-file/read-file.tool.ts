import { FILENAME_ONLY, stringArg, type AgentTool } from '../agent-tool.js';

export const readFileTool: AgentTool = {
  name: 'read_file',
  description: 'Read the full content of a file in the site sandbox.',
  parameters: FILENAME_ONLY,
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    const file = await sandbox.readText(scope, stringArg(args, 'filename'));
    return { ok: true, filename: file.filename, size: file.size, content: file.content };
  },
};
