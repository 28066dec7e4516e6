/**
 * Recognises "the request is longer than the model's context" as each server words it, and reads the
 * sizes it names so the request can be compacted below them:
 * - OpenAI: code `context_length_exceeded`, "This model's maximum context length is 128000 tokens…".
 * - llama.cpp server: type `exceed_context_size_error` with `n_prompt_tokens` and `n_ctx`, HTTP 400
 *   (500 in some builds): "request (4476 tokens) exceeds the available context size (4096 tokens)".
 * - vLLM: "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens…" or
 *   "…maximum context length is 4096 tokens and your request has 2778 input tokens…".
 * - Ollama: "the input length exceeds the context length" (no size: compact to half).
 */
export interface ContextErrorInput {
  status: number;
  message: string;
  /** The provider's error object (`body.error`, or the body itself). */
  error?: unknown;
}

export interface ContextLimit {
  /** The model's context size, when the provider named it. */
  contextTokens?: number;
  /** The prompt size the provider counted, when it said. */
  promptTokens?: number;
}

const WORDING =
  /context[ _-]?(length|window|size)|maximum context|too many tokens|exceeds? the (available )?context|prompt is too long|input length exceeds/i;

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;

/** The sizes of a context-length error, or null when the error is another one. */
export function classifyContextError(input: ContextErrorInput): ContextLimit | null {
  const { status, message } = input;
  if (status !== 400 && status !== 413 && status !== 500) {
    return null;
  }
  const error = (input.error ?? {}) as Record<string, unknown>;
  const type = typeof error.type === 'string' ? error.type : '';
  const code = typeof error.code === 'string' ? error.code : '';
  const text = `${message} ${typeof error.message === 'string' ? error.message : ''}`;
  const matches =
    type === 'exceed_context_size_error' ||
    code === 'context_length_exceeded' ||
    WORDING.test(text);
  // A 500 is a context error only when it says so plainly (llama.cpp, Ollama); else it is a server error.
  if (!matches || (status === 500 && !/context/i.test(`${type} ${text}`))) {
    return null;
  }
  const limit: ContextLimit = {};
  limit.contextTokens =
    num(error.n_ctx) ??
    num(Number(/maximum context length is (\d+)/i.exec(text)?.[1])) ??
    num(Number(/available context size \((\d+) tokens?\)/i.exec(text)?.[1]));
  limit.promptTokens =
    num(error.n_prompt_tokens) ??
    num(Number(/request \((\d+) tokens?\) exceeds/i.exec(text)?.[1])) ??
    num(Number(/request has (\d+) input tokens/i.exec(text)?.[1])) ??
    num(Number(/\((\d+) in the messages/i.exec(text)?.[1]));
  return limit;
}
