import { FILENAME_DESCRIPTION, stringArg, type AgentTool } from '../agent-tool.js';

export const deleteFileTool: AgentTool = {
  name: 'delete_file',
  description: 'Delete a file from the site sandbox.',
  parameters: {
    type: 'object',
    properties: { filename: { type: 'string', description: FILENAME_DESCRIPTION } },
    required: ['filename'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    const filename = stringArg(args, 'filename');
    await sandbox.remove(scope, filename);
    return { ok: true, filename, deleted: true };
  },
};
