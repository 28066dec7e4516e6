import type { AgentTool } from '../agent-tool.js';

export const getPreviewErrorsTool: AgentTool = {
  name: 'get_preview_errors',
  description:
    'The runtime errors (uncaught exceptions, unhandled promise rejections, console.error) that the ' +
    'live preview reported for the current version of the site, newest first. Pages report only while ' +
    'someone has the preview open, so an empty list is no proof that a page works.',
  parameters: { type: 'object', properties: {}, required: [], additionalProperties: false },
  bulkyKeys: [],
  async execute(_args, { previewErrors, scope }) {
    if (!previewErrors) {
      return { ok: false, error: 'Preview errors are not available here' };
    }
    const errors = await previewErrors.ofCurrentVersion(scope.userId, scope.sessionId);
    return {
      ok: true,
      errors: errors.map((e) => ({
        kind: e.kind,
        message: e.message,
        source: e.source,
        line: e.line,
        column: e.column,
        version: e.version,
        at: e.at.toISOString(),
      })),
      ...(errors.length === 0
        ? { note: 'No errors were reported for the current version (since the last change).' }
        : {}),
    };
  },
};
