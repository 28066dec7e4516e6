import { Inject, Injectable } from '@nestjs/common';
import OpenAI, { APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { AppConfig } from '../../config/app-config.js';
import { APP_CONFIG } from '../../config/config.module.js';
import {
  LlmError,
  type LlmClient,
  type LlmMessage,
  type LlmRequest,
  type LlmStreamEvent,
  type LlmToolSpec,
} from './llm-client.js';

function toOpenAiMessage(m: LlmMessage): ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
    case 'user':
      return { role: m.role, content: m.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: m.content,
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
    // Providers word it differently: OpenAI's code, vLLM's and llama.cpp's messages.
    const contextLength =
      status === 400 &&
      (err.code === 'context_length_exceeded' ||
        /context[ _-]?(length|window)|maximum context|too many tokens|exceeds? the context/i.test(
          err.message,
        ));
    return new LlmError(
      contextLength
        ? 'The conversation is longer than the model can read (context length exceeded)'
        : `The LLM provider answered HTTP ${status}`,
      contextLength ? 'context_length' : 'http',
      status,
      retryAfterMs(headers),
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

/** OpenAI Chat Completions, streamed; works with any compatible server through OPENAI_BASE_URL. */
@Injectable()
export class OpenAiLlmClient implements LlmClient {
  readonly configured: boolean;
  private readonly client: OpenAI;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    const { apiKey, baseUrl, timeoutMs, maxRetries } = config.llm;
    this.configured = Boolean(apiKey ?? baseUrl);
    this.client = new OpenAI({
      // Local servers (vLLM, Ollama) need no key, but the SDK insists on one.
      apiKey: apiKey ?? 'not-needed',
      baseURL: baseUrl,
      timeout: timeoutMs,
      maxRetries,
    });
  }

  async *stream(request: LlmRequest): AsyncIterable<LlmStreamEvent> {
    let stream;
    try {
      stream = await this.client.chat.completions.create(
        {
          model: request.model ?? this.config.llm.model,
          messages: request.messages.map(toOpenAiMessage),
          // An empty tools array is rejected by some servers: leave the field out instead.
          ...(request.tools.length ? { tools: request.tools.map(toOpenAiTool) } : {}),
          ...(request.maxTokens ? { max_tokens: request.maxTokens } : {}),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
    } catch (err) {
      throw toLlmError(err);
    }
    let finished = false;
    try {
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta;
        if (delta?.content) {
          yield { type: 'text', delta: delta.content };
        }
        for (const call of delta?.tool_calls ?? []) {
          yield {
            type: 'tool_call',
            index: call.index,
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
