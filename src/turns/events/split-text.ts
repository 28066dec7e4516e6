/** UTF-8 bytes a character takes inside a JSON string, escapes included, as `JSON.stringify` writes it. */
const jsonBytes = (ch: string): number => Buffer.byteLength(JSON.stringify(ch)) - 2;

/** The most one character can take (a lone surrogate escaped as `\udXXX`); smaller budgets cannot work. */
const MIN_SPLIT_BYTES = 6;

/**
 * Cuts text into pieces whose JSON string bodies each take at most `maxBytes` UTF-8 bytes, so every
 * piece fits a size-limited message. Cuts fall between code points: a surrogate pair is never split.
 */
export function splitForJson(text: string, maxBytes: number): string[] {
  if (Buffer.byteLength(JSON.stringify(text)) - 2 <= maxBytes) {
    return [text];
  }
  if (maxBytes < MIN_SPLIT_BYTES) {
    throw new RangeError(`cannot split text into pieces of ${maxBytes} bytes`);
  }
  const pieces: string[] = [];
  let piece = '';
  let used = 0;
  // Iterating a string yields code points, so the two halves of a surrogate pair stay together.
  for (const ch of text) {
    const n = jsonBytes(ch);
    if (used + n > maxBytes) {
      pieces.push(piece);
      piece = '';
      used = 0;
    }
    piece += ch;
    used += n;
  }
  pieces.push(piece);
  return pieces;
}
