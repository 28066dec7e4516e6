import type { AgentTool } from '../agent-tool.js';

export const listFilesTool: AgentTool = {
  name: 'list_files',
  description: 'List every file in the site sandbox with its size in bytes.',
  parameters: { type: 'object', properties: {}, additionalProperties: false },
  bulkyKeys: [],
  async execute(_args, { sandbox, scope }) {
    const listing = await sandbox.list(scope);
    return { ok: true, files: listing.files, total_size: listing.total_size };
  },
};
