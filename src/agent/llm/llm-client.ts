/** The provider-neutral view of a chat the agent loop needs; `openai-llm.client.ts` is the one implementation. */

export interface LlmToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model wrote; it may be malformed. */
  arguments: string;
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | {
      role: 'assistant';
      content: string | null;
      toolCalls?: LlmToolCall[];
      /**
       * The reasoning the provider streamed as `reasoning_content` in the round that made these tool
       * calls, sent back unchanged (DeepSeek's thinking mode answers 400 without it).
       */
      reasoningContent?: string;
    }
  | { role: 'tool'; toolCallId: string; content: string };

export interface LlmToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

/** What the stream yields, in order, as the model writes. */
export type LlmStreamEvent =
  | { type: 'text'; delta: string }
  /** Thinking the model streams before (or between) its answer; never part of the content. */
  | { type: 'reasoning'; delta: string; field: 'reasoning_content' | 'reasoning' }
  /**
   * A piece of tool call number `index`: its id and name arrive first, its arguments in pieces. The
   * client numbers calls itself when the provider sends no index or reuses one for several ids.
   */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number }
  /** Why the model stopped writing: `length` means its output hit `maxTokens` and was cut off. */
  | { type: 'finish'; reason: string };

export interface LlmRequest {
  messages: LlmMessage[];
  /** Empty: the model may only answer in text (the loop's last, summarising request). */
  tools: LlmToolSpec[];
  signal: AbortSignal;
  /** The model to ask; absent = the configured default. */
  model?: string;
  /** Upper bound of the response's tokens (`max_tokens` or `max_completion_tokens`, per the model's profile). */
  maxTokens?: number;
}

/** A provider failure: HTTP error, timeout, broken stream. The message is safe to show. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'connection' | 'aborted' | 'context_length' = 'http',
    /** The HTTP status the provider answered, when it answered one. */
    readonly status?: number,
    /** How long the provider asked to wait before trying again (`Retry-After`), in ms. */
    readonly retryAfterMs?: number,
    /** Context errors: the context size the provider named (`n_ctx`, "maximum context length is N"). */
    readonly contextTokens?: number,
    /** Context errors: the prompt size the provider counted, when it said (`n_prompt_tokens`). */
    readonly promptTokens?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }
}

export interface LlmClient {
  /** False when neither an API key nor a base URL is configured. */
  readonly configured: boolean;
  stream(request: LlmRequest): AsyncIterable<LlmStreamEvent>;
}

export const LLM_CLIENT = Symbol('LLM_CLIENT');
