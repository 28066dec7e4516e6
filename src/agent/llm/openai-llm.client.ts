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
    return err.status
      ? new LlmError(`The LLM provider answered HTTP ${err.status}`, 'http')
      : new LlmError('Could not reach the LLM provider', 'connection');
  }
  return new LlmError('The LLM provider stream failed', 'connection');
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
          model: this.config.llm.model,
          messages: request.messages.map(toOpenAiMessage),
          tools: request.tools.map(toOpenAiTool),
          stream: true,
          stream_options: { include_usage: true },
        },
        { signal: request.signal },
      );
    } catch (err) {
      throw toLlmError(err);
    }
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
  }
}
