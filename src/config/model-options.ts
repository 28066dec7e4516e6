/** `AGENT_MODEL_OPTIONS`: what an operator states about each model, read once with the rest of the config. */
export type OutputParam = 'max_tokens' | 'max_completion_tokens';

/** One entry of `AGENT_MODEL_OPTIONS`: every field optional. */
export interface ModelOptions {
  context_tokens?: number;
  max_output_tokens?: number;
  output_param?: OutputParam;
  vision?: boolean;
}

/** Reads `AGENT_MODEL_OPTIONS`; throws an error naming the variable and the bad entry. */
export function parseModelOptions(raw: string | undefined): Record<string, ModelOptions> {
  if (raw === undefined || raw.trim() === '') {
    return {};
  }
  const fail = (why: string): never => {
    throw new Error(`AGENT_MODEL_OPTIONS: ${why}`);
  };
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('not valid JSON (expected an object keyed by model id)');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail('expected a JSON object keyed by model id');
  }
  const out: Record<string, ModelOptions> = {};
  for (const [model, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) {
      fail(`"${model}" must be an object`);
    }
    const options: ModelOptions = {};
    for (const [key, v] of Object.entries(entry as Record<string, unknown>)) {
      switch (key) {
        case 'context_tokens':
        case 'max_output_tokens':
          if (!Number.isInteger(v) || (v as number) < 1) {
            fail(`"${model}".${key} must be a positive integer`);
          }
          options[key] = v as number;
          break;
        case 'output_param':
          if (v !== 'max_tokens' && v !== 'max_completion_tokens') {
            fail(`"${model}".output_param must be "max_tokens" or "max_completion_tokens"`);
          }
          options.output_param = v as OutputParam;
          break;
        case 'vision':
          if (typeof v !== 'boolean') {
            fail(`"${model}".vision must be true or false`);
          }
          options.vision = v as boolean;
          break;
        default:
          fail(
            `"${model}".${key} is not an option (context_tokens, max_output_tokens, output_param, vision)`,
          );
      }
    }
    out[model] = options;
  }
  return out;
}
