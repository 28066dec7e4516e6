import { describe, expect, it } from '@jest/globals';
import { partialFilename, streamingProgress } from './progress.js';

describe('streamingProgress', () => {
  it('starts at 0', () => {
    expect(streamingProgress(0)).toBe(0);
  });

  it('is half-way to its ceiling at 2 KB', () => {
    expect(streamingProgress(2048)).toBe(45);
  });

  it('rises with the bytes seen and never goes back', () => {
    let previous = streamingProgress(0);
    let rises = 0;
    for (let bytes = 1; bytes <= 1_000_000; bytes = Math.ceil(bytes * 1.1)) {
      const progress = streamingProgress(bytes);
      expect(progress).toBeGreaterThanOrEqual(previous);
      rises += progress > previous ? 1 : 0;
      previous = progress;
    }
    expect(rises).toBeGreaterThan(50);
  });

  it.each([100_000, 10_000_000, Number.MAX_SAFE_INTEGER])(
    'stays below 100, at most 90, for %d bytes',
    (bytes) => {
      const progress = streamingProgress(bytes);
      expect(progress).toBeLessThanOrEqual(90);
      expect(Number.isInteger(progress)).toBe(true);
    },
  );

  it('moves visibly within the first kilobyte', () => {
    expect(streamingProgress(100)).toBeGreaterThan(0);
    expect(streamingProgress(1024)).toBeGreaterThan(streamingProgress(100));
  });
});

describe('partialFilename', () => {
  it.each([
    ['{"filename": "index.html", "content": "<ht', 'index.html'],
    ['{"filename":"css/style.css"', 'css/style.css'],
    ['{\n  "filename" : "a b.txt",', 'a b.txt'],
    ['{"content": "x", "filename": "late.js"', 'late.js'],
  ])('finds the filename in %j', (text, expected) => {
    expect(partialFilename(text)).toBe(expected);
  });

  it.each([
    '',
    '{',
    '{"file',
    '{"filename"',
    '{"filename": ',
    '{"filename": "ind',
    '{"filename": "a\\',
    '{"content": "x"}',
  ])('returns undefined while the filename is incomplete or absent: %j', (text) => {
    expect(partialFilename(text)).toBeUndefined();
  });

  it('does not end the name at an escaped quote', () => {
    expect(partialFilename('{"filename": "say \\"hi')).toBeUndefined();
    expect(partialFilename('{"filename": "say \\"hi\\".txt", "con')).toBe('say "hi".txt');
  });

  it('decodes JSON escapes', () => {
    expect(partialFilename('{"filename": "caf\\u00e9\\/menu.html"')).toBe('café/menu.html');
    expect(partialFilename('{"filename": "back\\\\slash"')).toBe('back\\slash');
  });

  it('returns undefined for an invalid escape instead of throwing', () => {
    expect(partialFilename('{"filename": "bad\\x41"')).toBeUndefined();
  });

  it('does not take a "filename" written inside the content', () => {
    expect(partialFilename('{"content": "{\\"filename\\": \\"evil.html\\"}", "x')).toBeUndefined();
  });

  // The backtracking pattern overflowed the regex stack on a few MB and threw out of the agent loop.
  it.each([1024 * 1024, 8 * 1024 * 1024])(
    'returns undefined, without throwing, for a %d-character filename that is still open (N and 8N)',
    (chars) => {
      const text = `{"filename": "${'a'.repeat(chars)}`;
      expect(partialFilename(text)).toBeUndefined();
      expect(partialFilename(`${text}"`)).toBeUndefined();
    },
  );

  it('gives up on a name longer than any valid filename could be escaped', () => {
    expect(partialFilename(`{"filename": "${'a'.repeat(255)}"`)).toBe('a'.repeat(255));
    expect(partialFilename(`{"filename": "${'\\u0061'.repeat(255)}"`)).toBe('a'.repeat(255));
    expect(partialFilename(`{"filename": "${'a'.repeat(2000)}"`)).toBeUndefined();
  });

  it.each([
    ['many keys without a colon', '"filename" '.repeat(200_000)],
    ['much whitespace after the key', `"filename"${' '.repeat(1_000_000)}`],
    ['escaped quotes', `{"filename": "${'\\"'.repeat(500_000)}`],
  ])('returns undefined for hostile text: %s', (_label, text) => {
    expect(partialFilename(text)).toBeUndefined();
  });
});
