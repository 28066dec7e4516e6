import { Inject, Injectable } from '@nestjs/common';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import { classifyContextError } from './context-error.js';
import {
  LlmError,
  type LlmClient,
  type LlmMessage,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmToolSpec,
} from './llm-client.js';
import {
  MODEL_PROFILES,
  type ModelProfiles,
  type OutputParam,
} from '../../models/model-profiles.js';
import { ToolCallSlots } from './tool-call-slots.js';

function toOpenAiMessage(m: LlmMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content,
        // Not in OpenAI's types: DeepSeek's thinking mode wants it back on the round that made tool calls.
        ...(m.reasoningContent !== undefined && m.toolCalls?.length
          ? { reasoning_content: m.reasoningContent }
          : {}),
        ...(m.toolCalls?.length
          ? {
              tool_calls: m.toolCalls.map((c) => ({
                id: c.id,
                type: 'function' as const,
                function: { name: c.name, arguments: c.arguments },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: m.toolCallId, content: m.content };
  }
}

const toOpenAiTool = (t: LlmToolSpec): ChatCompletionTool => ({
  type: 'function',
  function: { name: t.name, description: t.description, parameters: t.parameters },
});

/** Turns SDK errors into a short message without request details (keys, URLs with credentials). */
function toLlmError(err: unknown): LlmError {
  if (err instanceof LlmError) {
    return err;
  }
  if (err instanceof APIUserAbortError) {
    return new LlmError('The request to the LLM provider was aborted', 'aborted');
  }
  if (err instanceof APIConnectionTimeoutError) {
    return new LlmError('The LLM provider did not answer in time', 'timeout');
  }
  if (err instanceof APIError) {
    // The SDK types these as generics that default to any.
    const status = err.status as number | undefined;
    const headers = err.headers as Headers | undefined;
    if (!status) {
      return new LlmError('Could not reach the LLM provider', 'connection');
    }
    // Providers word it differently: OpenAI's code, llama.cpp's type, vLLM's and Ollama's messages.
    const context = classifyContextError({ status, message: err.message, error: err.error });
    return new LlmError(
      context
        ? 'The conversation is longer than the model can read (context length exceeded)'
        : `The LLM provider answered HTTP ${status}`,
      context ? 'context_length' : 'http',
      status,
      retryAfterMs(headers),
      context?.contextTokens,
      context?.promptTokens,
    );
  }
  return new LlmError('The LLM provider stream failed', 'connection');
}

/** `Retry-After` (seconds or an HTTP date) or `retry-after-ms`, in ms; undefined when absent or unreadable. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (ms > 0) {
    return ms;
  }
  const raw = headers?.get('retry-after');
  if (!raw) {
    return undefined;
  }
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) {
    return seconds * 1000;
  }
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * OpenAI's answer to `max_tokens` on o-series and gpt-5 models: 400 with `param: "max_tokens"`, code
 * `unsupported_parameter`, "Unsupported parameter: 'max_tokens' is not supported with this model. Use
 * 'max_completion_tokens' instead." (Azure words it the same way).
 */
function rejectsMaxTokens(err: unknown): boolean {
  if (!(err instanceof APIError) || err.status !== 400) {
    return false;
  }
  return (
    (err.param === 'max_tokens' && err.code === 'unsupported_parameter') ||
    /max_tokens'? is not supported|unsupported parameter:? '?max_tokens|use 'max_completion_tokens'/i.test(
      err.message,
    )
  );
}

/** A delta's reasoning text, as DeepSeek (`reasoning_content`) or vLLM/OpenRouter (`reasoning`) send it. */
function reasoningOf(delta: unknown): LlmStreamEvent | null {
  const d = delta as { reasoning_content?: unknown; reasoning?: unknown } | undefined;
  if (typeof d?.reasoning_content === 'string' && d.reasoning_content) {
    return { type: 'reasoning', delta: d.reasoning_content, field: 'reasoning_content' };
  }
  if (typeof d?.reasoning === 'string' && d.reasoning) {
    return { type: 'reasoning', delta: d.reasoning, field: 'reasoning' };
  }
  return null;
}

/**
 * Error bodies in OpenAI's shape (`{"error": {message, type, code}}`), which the SDK reads. Older vLLM
 * answers `{"object": "error", "message", "type": "BadRequestError", "code": 400}` at the top level and
 * Ollama's native routes `{"error": "text"}`; the SDK would drop both messages ("400 status code").
 */
async function openAiShapedErrors(url: string | URL | Request, init?: RequestInit) {
  const res = await fetch(url, init);
  if (res.ok || !res.headers.get('content-type')?.includes('json')) {
    return res;
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const b = body as Record<string, unknown> | undefined;
  if (b && typeof b === 'object' && !('error' in b) && typeof b.message === 'string') {
    body = { error: b };
  } else if (typeof b?.error === 'string') {
    body = { error: { message: b.error } };
  }
  const headers = new Headers(res.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  return new Response(body === undefined ? text : JSON.stringify(body), {
    status: res.status,
    statusText: res.statusText,
    headers,
  });
}

/** OpenAI Chat Completions, streamed; works with any compatible server through OPENAI_BASE_URL. */
@Injectable()
export class OpenAiLlmClient implements LlmClient {
  readonly configured: boolean;
  private readonly client: OpenAI;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(MODEL_PROFILES) private readonly profiles: ModelProfiles,
  ) {
    const { apiKey, baseUrl, timeoutMs, maxRetries } = config.llm;
    this.configured = Boolean(apiKey ?? baseUrl);
    this.client = new OpenAI({
      // Local servers (vLLM, Ollama) need no key, but the SDK insists on one.
      apiKey: apiKey ?? 'not-needed',
      baseURL: baseUrl,
      timeout: timeoutMs,
      maxRetries,
      fetch: openAiShapedErrors,
    });
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    const model = request.model ?? this.config.llm.model;
    let param: OutputParam = this.profiles.get(model).output_param;
    let stream;
    for (;;) {
      try {
        stream = await this.client.chat.completions.create(
          {
            model,
            messages: request.messages.map(toOpenAiMessage),
            // An empty tools array is rejected by some servers: leave the field out instead.
            ...(request.tools.length ? { tools: request.tools.map(toOpenAiTool) } : {}),
            ...(request.maxTokens ? { [param]: request.maxTokens } : {}),
            stream: true,
            stream_options: { include_usage: true },
          },
          { signal: request.signal },
        );
        break;
      } catch (err) {
        if (param === 'max_tokens' && request.maxTokens && rejectsMaxTokens(err)) {
          // The same request with the parameter the model wants, remembered for its later requests.
          param = 'max_completion_tokens';
          this.profiles.learn(model, { output_param: param });
          continue;
        }
        throw toLlmError(err);
      }
    }
    const slots = new ToolCallSlots();
    let finished = false;
    try {
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        const reasoning = reasoningOf(delta);
        if (reasoning) {
          yield reasoning;
        }
        if (delta?.content) {
          yield { type: 'text', delta: delta.content };
        }
        for (const call of delta?.tool_calls ?? []) {
          yield {
            type: 'tool_call',
            // Gemini omits `index`; the SDK's type says it is always there.
            index: slots.slotOf(call.index, call.id),
            id: call.id ?? undefined,
            name: call.function?.name ?? undefined,
            argumentsDelta: call.function?.arguments ?? undefined,
          };
        }
        const finish = chunk.choices[0]?.finish_reason;
        if (finish) {
          finished = true;
          yield { type: 'finish', reason: finish };
        }
        if (chunk.usage) {
          yield {
            type: 'usage',
            promptTokens: chunk.usage.prompt_tokens,
            completionTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (err) {
      throw toLlmError(err);
    }
    // Every complete response names why it finished; a stream that ends without it was dropped.
    if (!finished && !request.signal.aborted) {
      throw new LlmError(
        'The LLM provider stream ended before the response was complete',
        'connection',
      );
    }
  }
}
