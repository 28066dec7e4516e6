import { describe, expect, it } from '@jest/globals';
import { classifyContextError } from './context-error.js';

describe('classifyContextError', () => {
  it('reads llama.cpp’s exceed_context_size_error, on 400 and on 500', () => {
    const error = {
      code: 400,
      message: 'request (4476 tokens) exceeds the available context size (4096 tokens)',
      type: 'exceed_context_size_error',
      n_prompt_tokens: 4476,
      n_ctx: 4096,
    };
    for (const status of [400, 500]) {
      expect(
        classifyContextError({ status, message: `${status} ${error.message}`, error }),
      ).toEqual({ contextTokens: 4096, promptTokens: 4476 });
    }
  });

  it('reads vLLM’s "maximum context length" wordings', () => {
    expect(
      classifyContextError({
        status: 400,
        message:
          "400 This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion).",
      }),
    ).toEqual({ contextTokens: 4096, promptTokens: 4000 });
    expect(
      classifyContextError({
        status: 400,
        message:
          "400 'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778).",
      }),
    ).toEqual({ contextTokens: 4096, promptTokens: 2778 });
  });

  it('recognises Ollama’s and OpenAI’s errors without sizes', () => {
    expect(
      classifyContextError({
        status: 400,
        message: '400 the input length exceeds the context length',
      }),
    ).toEqual({ contextTokens: undefined, promptTokens: undefined });
    expect(
      classifyContextError({
        status: 400,
        message: '400 too long',
        error: { code: 'context_length_exceeded' },
      }),
    ).not.toBeNull();
  });

  it('leaves other errors alone, a plain 500 and the max_tokens refusal included', () => {
    expect(classifyContextError({ status: 500, message: '500 internal error' })).toBeNull();
    expect(
      classifyContextError({
        status: 400,
        message:
          "400 Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
      }),
    ).toBeNull();
    expect(classifyContextError({ status: 429, message: '429 context length' })).toBeNull();
  });
});
