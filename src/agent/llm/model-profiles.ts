/** What the service knows about one model: configured (`AGENT_MODEL_OPTIONS`), defaulted, or learned. */
export type OutputParam = 'max_tokens' | 'max_completion_tokens';

/** One entry of `AGENT_MODEL_OPTIONS`: every field optional. */
export interface ModelOptions {
  context_tokens?: number;
  max_output_tokens?: number;
  output_param?: OutputParam;
  vision?: boolean;
}

export type LearnedField = 'output_param' | 'context_tokens';

export interface ModelProfile {
  output_param: OutputParam;
  max_output_tokens: number;
  context_tokens: number;
  vision: boolean;
  /** The fields learned from the provider's own answers rather than configured or defaulted. */
  learned: LearnedField[];
}

export interface ProfileDefaults {
  maxOutputTokens: number;
  contextTokens: number;
}

/**
 * Profiles per model id: the configuration, then what the provider taught this process (a 400 naming
 * `max_tokens` as unsupported, a context error naming the context size). Learned answers live in this
 * process's memory: every replica learns them again from one failed request after a restart.
 */
export class ModelProfiles {
  private readonly learnedAnswers = new Map<string, Partial<Pick<ModelProfile, LearnedField>>>();

  constructor(
    private readonly options: Readonly<Record<string, ModelOptions>>,
    private readonly defaults: ProfileDefaults,
  ) {}

  get(model: string): ModelProfile {
    const configured = this.options[model] ?? {};
    const learned = { ...this.learnedAnswers.get(model) };
    const context = configured.context_tokens ?? this.defaults.contextTokens;
    // A learned size only counts when it is smaller than what the configuration already allows.
    if (learned.context_tokens !== undefined && learned.context_tokens >= context) {
      delete learned.context_tokens;
    }
    return {
      output_param: learned.output_param ?? configured.output_param ?? 'max_tokens',
      max_output_tokens: configured.max_output_tokens ?? this.defaults.maxOutputTokens,
      context_tokens: learned.context_tokens ?? context,
      vision: configured.vision ?? false,
      learned: (Object.keys(learned) as LearnedField[]).sort(),
    };
  }

  /** Remembers what the provider said about `model`; later requests of that model use it. */
  learn(model: string, answer: Partial<Pick<ModelProfile, LearnedField>>): void {
    const known = this.learnedAnswers.get(model) ?? {};
    if (answer.context_tokens !== undefined) {
      // A smaller size wins: a server may be restarted with a smaller context, never trusted to grow.
      known.context_tokens = Math.min(answer.context_tokens, known.context_tokens ?? Infinity);
    }
    if (answer.output_param) {
      known.output_param = answer.output_param;
    }
    this.learnedAnswers.set(model, known);
  }
}

export const MODEL_PROFILES = Symbol('MODEL_PROFILES');

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
