import { describe, expect, it } from '@jest/globals';
import { splitForJson } from './split-text.js';

const jsonBytes = (s: string) => Buffer.byteLength(JSON.stringify(s)) - 2;

describe('splitForJson', () => {
  it('keeps text that fits in one piece', () => {
    expect(splitForJson('hello', 5)).toEqual(['hello']);
  });

  it('counts bytes, not characters: Chinese takes three bytes a character', () => {
    const text = '网站生成代理'.repeat(500);
    const pieces = splitForJson(text, 7000);
    expect(pieces.join('')).toBe(text);
    expect(pieces.length).toBe(2);
    pieces.forEach((p) => expect(jsonBytes(p)).toBeLessThanOrEqual(7000));
  });

  it('never splits a surrogate pair, and counts JSON escapes', () => {
    const text = '😀"\n汉'.repeat(100);
    for (const max of [6, 7, 9, 10, 33]) {
      const pieces = splitForJson(text, max);
      expect(pieces.join('')).toBe(text);
      for (const p of pieces) {
        expect(jsonBytes(p)).toBeLessThanOrEqual(max);
        expect(p.length).toBeGreaterThan(0);
        // A piece that starts or ends inside a pair would not survive UTF-8.
        expect(Buffer.from(p, 'utf8').toString('utf8')).toBe(p);
      }
    }
  });

  it('refuses a budget too small for one character', () => {
    expect(() => splitForJson('汉字', 5)).toThrow(RangeError);
  });
});
