import { FILENAME_DESCRIPTION, stringArg, type AgentTool } from '../agent-tool.js';

export const moveFileTool: AgentTool = {
  name: 'move_file',
  description:
    'Rename or move a file within the sandbox, in one step (one version). Refused if the target ' +
    'already exists. Links to the file in other files are not updated: fix them with edit_file.',
  parameters: {
    type: 'object',
    properties: {
      from: { type: 'string', description: `The file to move. ${FILENAME_DESCRIPTION}` },
      to: {
        type: 'string',
        description: `Its new path; must not exist yet. ${FILENAME_DESCRIPTION}`,
      },
    },
    required: ['from', 'to'],
    additionalProperties: false,
  },
  bulkyKeys: [],
  async execute(args, { sandbox, scope }) {
    // SandboxService.move applies the filename rule to both paths and records the version.
    const moved = await sandbox.move(scope, stringArg(args, 'from'), stringArg(args, 'to'));
    return { ok: true, from: moved.from, to: moved.to, size: moved.size, version: moved.version };
  },
};
