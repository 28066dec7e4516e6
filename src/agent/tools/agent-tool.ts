import type { PreviewErrorsService } from '../../sandbox/preview-errors/preview-errors.service.js';
import type { SandboxScope, SandboxService } from '../../sandbox/sandbox.service.js';

/** The version a change made (null or absent: it changed nothing, or the sandbox keeps no history). */
interface Versioned {
  version?: number | null;
}

/** What a tool may touch: the sandbox of the run's session, as the session's owner. */
export interface ToolContext {
  sandbox: Pick<SandboxService, 'list' | 'readText'> & {
    write(
      scope: SandboxScope,
      path: unknown,
      content: string,
    ): Promise<{ filename: string; size: number } & Versioned>;
    remove(scope: SandboxScope, path: unknown): Promise<Versioned | void>;
    move(
      scope: SandboxScope,
      from: unknown,
      to: unknown,
    ): Promise<{ from: string; to: string; size: number } & Versioned>;
  };
  /** The preview's runtime errors (get_preview_errors); absent where no preview runs. */
  previewErrors?: Pick<PreviewErrorsService, 'ofCurrentVersion'>;
  /** Its `origin` credits each change to the run's message and the step making it. */
  scope: SandboxScope;
}

/** Goes back to the model as the tool message; failures are results too, never exceptions. */
export type ToolResult = { ok: true; [key: string]: unknown } | { ok: false; error: string };

export interface AgentTool {
  name: string;
  description: string;
  /** JSON Schema of the arguments, with a description on every field. */
  parameters: Record<string, unknown>;
  /** Argument keys too bulky to keep on the execution step; they are recorded as `<key>_bytes`. */
  bulkyKeys: readonly string[];
  execute(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolResult>;
}

/** A tool argument problem the model can correct. */
export class ToolArgumentError extends Error {}

export function stringArg(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== 'string') {
    throw new ToolArgumentError(`"${key}" must be a string`);
  }
  return value;
}

/** The agent's view of the sandbox path rule, shared with the REST API. */
export const FILENAME_DESCRIPTION =
  'Path of the file relative to the site root, e.g. "index.html" or "css/style.css". Segments may ' +
  'contain letters, digits, ".", "_", "-" and spaces; no "..", no leading "/", at most 255 characters.';

/** The parameters of a tool that takes just a filename. */
export const FILENAME_ONLY: Record<string, unknown> = {
  type: 'object',
  properties: { filename: { type: 'string', description: FILENAME_DESCRIPTION } },
  required: ['filename'],
  additionalProperties: false,
};
