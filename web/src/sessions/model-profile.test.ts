// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { modelFor, profileRows, profileSummary, type ModelLike } from './model-profile';

const o3: ModelLike = {
  id: 'o3-mini',
  default: false,
  vision: false,
  context_tokens: 200_000,
  profile: {
    output_param: 'max_completion_tokens',
    max_output_tokens: 8192,
    context_tokens: 200_000,
    vision: false,
    learned: ['output_param'],
  },
};
const plain: ModelLike = { id: 'gpt-4o-mini', default: true };

describe('modelFor', () => {
  it('finds the named model, or the default for none', () => {
    expect(modelFor([o3, plain], 'o3-mini')).toBe(o3);
    expect(modelFor([o3, plain], null)).toBe(plain);
    expect(modelFor([o3, plain], 'gone')).toBeUndefined();
    expect(modelFor([], null)).toBeUndefined();
  });
});

describe('profileRows', () => {
  it('shows images, context, output limit and parameter, marking what was learned', () => {
    expect(profileRows(o3)).toEqual([
      { label: 'Images', value: 'not accepted', learned: false },
      { label: 'Context', value: '200,000 tokens', learned: false },
      { label: 'Output limit', value: '8,192 tokens', learned: false },
      { label: 'Parameter', value: 'max_completion_tokens', learned: true },
    ]);
  });

  it('marks a context size learned from the provider’s error', () => {
    const learned: ModelLike = {
      ...o3,
      profile: { ...o3.profile!, context_tokens: 32_768, learned: ['context_tokens'] },
    };
    expect(profileRows(learned)[1]).toEqual({
      label: 'Context',
      value: '32,768 tokens',
      learned: true,
    });
  });

  it('uses the top-level fields when there is no profile, and nothing for an older server', () => {
    expect(profileRows({ id: 'x', default: true, vision: true, context_tokens: 8000 })).toEqual([
      { label: 'Images', value: 'accepted', learned: false },
      { label: 'Context', value: '8,000 tokens', learned: false },
    ]);
    expect(profileRows(plain)).toEqual([]);
    expect(profileRows(undefined)).toEqual([]);
  });
});

describe('profileSummary', () => {
  it('puts the rows on one line', () => {
    expect(profileSummary(profileRows(o3))).toBe(
      'Images: not accepted · Context: 200,000 tokens · Output limit: 8,192 tokens · Parameter: max_completion_tokens (learned)',
    );
    expect(profileSummary([])).toBe('');
  });
});
