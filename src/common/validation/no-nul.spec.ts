import { describe, expect, it } from '@jest/globals';
import { stripNul, stripNulDeep } from './no-nul.js';

describe('stripNul', () => {
  it('removes every U+0000 and keeps the rest', () => {
    expect(stripNul('a\u0000b\u0000')).toBe('ab');
    expect(stripNul('plain')).toBe('plain');
  });
});

describe('stripNulDeep', () => {
  it('removes U+0000 from nested string values and keys', () => {
    expect(
      stripNulDeep({
        'na\u0000me': 'in\u0000dex.html',
        list: ['a\u0000', 1, null, { x: '\u0000' }],
      }),
    ).toEqual({ name: 'index.html', list: ['a', 1, null, { x: '' }] });
  });

  // A model typing a backslash and "u0000" is text, not a NUL: string-replacing the JSON ate half an escape.
  it.each([
    ['a literal backslash-u-0-0-0-0', 'C:\\u0000'],
    ['an escaped backslash before it', 'x\\\\u0000y'],
    ['a literal escape beside a real NUL', '\\u0000\u0000'],
  ])('keeps %s intact', (_label, text) => {
    const expected = text.replaceAll('\u0000', '');
    expect(stripNulDeep({ old_string: text, n: [text] })).toEqual({
      old_string: expected,
      n: [expected],
    });
  });

  it('keeps numbers, booleans and null as they are', () => {
    expect(stripNulDeep({ a: 1.5, b: false, c: null })).toEqual({ a: 1.5, b: false, c: null });
    expect(stripNulDeep('x\u0000')).toBe('x');
  });
});
