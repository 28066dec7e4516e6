import { MAX_PATH_LENGTH } from '../../sandbox/sandbox-path.js';

/**
 * Progress of a tool call while its arguments stream in. The final size is unknown, so the bar follows a
 * saturating curve of the bytes seen (half-way at 2 KB) and stops at 90 until the tool has run.
 */
export function streamingProgress(argumentBytes: number): number {
  return Math.min(90, Math.floor((90 * argumentBytes) / (argumentBytes + 2048)));
}

const KEY = '"filename"';
/** A longer name would be refused anyway: at most 255 characters, each at most a 6-character JSON escape. */
const MAX_ESCAPED_NAME = MAX_PATH_LENGTH * 6;

const skipSpace = (text: string, at: number): number => {
  while (at < text.length && /\s/.test(text[at])) {
    at += 1;
  }
  return at;
};

/** Index of the quote closing the JSON string whose body starts at `from`; -1 if open or too long. */
function closingQuote(text: string, from: number): number {
  const end = Math.min(text.length, from + MAX_ESCAPED_NAME + 1);
  for (let at = from; at < end; at += 1) {
    if (text[at] === '"') {
      return at;
    }
    if (text[at] === '\\') {
      at += 1;
    }
  }
  return -1;
}

/**
 * The `filename` of a tool call whose arguments are still arriving, as soon as it is complete in the text.
 * A scan rather than a regular expression: the arguments are megabytes of model output, and the old
 * backtracking pattern overflowed the regex stack on them; this is linear and reads at most a name's worth.
 */
export function partialFilename(argumentsSoFar: string): string | undefined {
  const text = argumentsSoFar;
  for (let key = text.indexOf(KEY); key !== -1; key = text.indexOf(KEY, key + 1)) {
    let at = skipSpace(text, key + KEY.length);
    if (text[at] !== ':') {
      continue;
    }
    at = skipSpace(text, at + 1);
    if (text[at] !== '"') {
      continue;
    }
    // An open string swallows every later key, so the first value decides.
    const close = closingQuote(text, at + 1);
    if (close === -1) {
      return undefined;
    }
    try {
      return JSON.parse(text.slice(at, close + 1)) as string;
    } catch {
      return undefined;
    }
  }
  return undefined;
}
