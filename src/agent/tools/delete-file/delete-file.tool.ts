import { FILENAME_ONLY, stringArg, type AgentTool } from '../agent-tool.js';

export const deleteFileTool: AgentTool = {
  name: 'delete_file',
  description: 'Delete a file from the site sandbox.',
  parameters: FILENAME_ONLY,
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    const filename = stringArg(args, 'filename');
    const removed = await sandbox.remove(scope, filename);
    return { ok: true, filename, deleted: true, version: removed?.version };
  },
};
