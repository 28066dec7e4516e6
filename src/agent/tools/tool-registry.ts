import { AppError } from '../../common/errors/app-error.js';
import type { LlmToolSpec } from '../llm/llm-client.js';
import {
  ToolArgumentError,
  type AgentTool,
  type ToolContext,
  type ToolResult,
} from './agent-tool.js';
import { deleteFileTool } from './delete-file/delete-file.tool.js';
import { editFileTool } from './edit-file/edit-file.tool.js';
import { getPreviewErrorsTool } from './get-preview-errors/get-preview-errors.tool.js';
import { listFilesTool } from './list-files/list-files.tool.js';
import { moveFileTool } from './move-file/move-file.tool.js';
import { readFileTool } from './read-file/read-file.tool.js';
import { searchFilesTool } from './search-files/search-files.tool.js';
import { updatePlanTool } from './update-plan/update-plan.tool.js';
import { writeFileTool } from './write-file/write-file.tool.js';

export const AGENT_TOOLS: readonly AgentTool[] = [
  writeFileTool,
  readFileTool,
  listFilesTool,
  deleteFileTool,
  editFileTool,
  searchFilesTool,
  moveFileTool,
  getPreviewErrorsTool,
  updatePlanTool,
];

/** Strings longer than this are recorded on a step by their size only. */
const MAX_RECORDED_STRING = 200;

/** Parses the model's argument text; null when it is not a JSON object. */
export function parseArguments(raw: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(raw.trim() === '' ? '{}' : raw);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** The tool calls of the agent, looked up by name and run so that every failure is a result. */
export class ToolRegistry {
  private readonly byName: Map<string, AgentTool>;

  constructor(tools: readonly AgentTool[] = AGENT_TOOLS) {
    this.byName = new Map(tools.map((t) => [t.name, t]));
  }

  specs(): LlmToolSpec[] {
    return [...this.byName.values()].map(({ name, description, parameters }) => ({
      name,
      description,
      parameters,
    }));
  }

  /** What an execution step keeps of the arguments: small values as they are, bulky ones by size. */
  summarize(name: string, args: Record<string, unknown>): Record<string, unknown> {
    const bulky = new Set(this.byName.get(name)?.bulkyKeys ?? []);
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(args)) {
      if (typeof value === 'string' && (bulky.has(key) || value.length > MAX_RECORDED_STRING)) {
        out[`${key}_bytes`] = Buffer.byteLength(value, 'utf8');
      } else if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) {
        out[key] = value;
      }
    }
    return out;
  }

  async execute(name: string, rawArguments: string, ctx: ToolContext): Promise<ToolResult> {
    const tool = this.byName.get(name);
    if (!tool) {
      return {
        ok: false,
        error: `Unknown tool "${name}". Available: ${[...this.byName.keys()].join(', ')}`,
      };
    }
    const args = parseArguments(rawArguments);
    if (!args) {
      return { ok: false, error: `Invalid JSON arguments for ${name}: expected a JSON object` };
    }
    try {
      return await tool.execute(args, ctx);
    } catch (err) {
      if (err instanceof AppError || err instanceof ToolArgumentError) {
        return { ok: false, error: err.message };
      }
      throw err;
    }
  }
}
