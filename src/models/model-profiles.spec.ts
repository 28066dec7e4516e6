import { describe, expect, it } from '@jest/globals';
import { ModelProfiles, parseModelOptions } from './model-profiles.js';

describe('ModelProfiles', () => {
  const defaults = { maxOutputTokens: 8192, contextTokens: 100_000 };

  it('takes configured options over the defaults and learned answers over both', () => {
    const p = new ModelProfiles({ m: { context_tokens: 32000, vision: true } }, defaults);
    expect(p.get('m')).toEqual({
      output_param: 'max_tokens',
      max_output_tokens: 8192,
      context_tokens: 32000,
      vision: true,
      learned: [],
    });
    p.learn('m', { output_param: 'max_completion_tokens', context_tokens: 8192 });
    p.learn('m', { context_tokens: 16000 });
    expect(p.get('m')).toMatchObject({
      output_param: 'max_completion_tokens',
      context_tokens: 8192,
      learned: ['context_tokens', 'output_param'],
    });
    expect(p.get('other')).toMatchObject({ context_tokens: 100_000, learned: [] });
  });
});

describe('parseModelOptions', () => {
  it('reads a JSON object keyed by model id', () => {
    expect(
      parseModelOptions(
        '{"o3": {"output_param": "max_completion_tokens"}, "qwen": {"context_tokens": 32768, "max_output_tokens": 4096, "vision": false}}',
      ),
    ).toEqual({
      o3: { output_param: 'max_completion_tokens' },
      qwen: { context_tokens: 32768, max_output_tokens: 4096, vision: false },
    });
    expect(parseModelOptions(undefined)).toEqual({});
  });

  it.each([
    ['{not json', /AGENT_MODEL_OPTIONS: not valid JSON/],
    ['[1]', /AGENT_MODEL_OPTIONS: expected a JSON object/],
    ['{"m": {"context_tokens": -1}}', /"m".context_tokens must be a positive integer/],
    ['{"m": {"output_param": "max"}}', /"m".output_param must be/],
    ['{"m": {"vision": "yes"}}', /"m".vision must be true or false/],
    ['{"m": {"temperature": 1}}', /"m".temperature is not an option/],
  ])('refuses %s naming the variable', (raw, message) => {
    expect(() => parseModelOptions(raw)).toThrow(message);
  });
});
