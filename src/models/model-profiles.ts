/** What the service knows about one model: configured (`AGENT_MODEL_OPTIONS`), defaulted, or learned. */
import type { ModelOptions, OutputParam } from '../config/model-options.js';

export type { ModelOptions, OutputParam } from '../config/model-options.js';
export { parseModelOptions } from '../config/model-options.js';

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
