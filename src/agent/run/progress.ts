/**
 * Progress of a tool call while its arguments stream in. The final size is unknown, so the bar follows a
 * saturating curve of the bytes seen (half-way at 2 KB) and stops at 90 until the tool has run.
 */
export function streamingProgress(argumentBytes: number): number {
  return Math.min(90, Math.floor((90 * argumentBytes) / (argumentBytes + 2048)));
}

/** The `filename` of a tool call whose arguments are still arriving, as soon as it is complete in the text. */
export function partialFilename(argumentsSoFar: string): string | undefined {
  const match = /"filename"\s*:\s*"((?:[^"\\]|\\.)*)"/.exec(argumentsSoFar);
  if (!match) {
    return undefined;
  }
  try {
    return JSON.parse(`"${match[1]}"`) as string;
  } catch {
    return undefined;
  }
}
