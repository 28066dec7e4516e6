/** The provider-neutral view of a chat the agent loop needs; `openai-llm.client.ts` is the one implementation. */

export interface LlmToolCall {
  id: string;
  name: string;
  /** The raw JSON text the model wrote; it may be malformed. */
  arguments: string;
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string | null; toolCalls?: LlmToolCall[] }
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
  /** A piece of tool call number `index`: its id and name arrive first, its arguments in pieces. */
  | { type: 'tool_call'; index: number; id?: string; name?: string; argumentsDelta?: string }
  | { type: 'usage'; promptTokens: number; completionTokens: number };

export interface LlmRequest {
  messages: LlmMessage[];
  tools: LlmToolSpec[];
  signal: AbortSignal;
}

/** A provider failure: HTTP error, timeout, broken stream. The message is safe to show. */
export class LlmError extends Error {
  constructor(
    message: string,
    readonly kind: 'http' | 'timeout' | 'connection' | 'aborted' = 'http',
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
