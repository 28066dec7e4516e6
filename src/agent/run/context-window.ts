import type { LlmMessage } from '../llm/llm-client.js';

/** Roughly four characters per token for English, code and JSON; a fixed overhead per message. */
const CHARS_PER_TOKEN = 4;
const MESSAGE_OVERHEAD_TOKENS = 4;
/** Contents up to this size are left as they are: a stub would save nothing. */
const STUB_FROM_CHARS = 300;

export function estimateTokens(messages: readonly LlmMessage[]): number {
  let chars = 0;
  for (const m of messages) {
    chars += m.content?.length ?? 0;
    if (m.role === 'assistant') {
      chars += m.reasoningContent?.length ?? 0;
      for (const c of m.toolCalls ?? []) {
        chars += c.arguments.length + c.name.length;
      }
    }
  }
  return Math.ceil(chars / CHARS_PER_TOKEN) + messages.length * MESSAGE_OVERHEAD_TOKENS;
}

export interface ContextShape {
  /** Messages before this index (after the system message at 0) are earlier turns' history. */
  turnStart: number;
  /** Messages from this index on (the latest round and what follows) are never shortened. */
  keepFrom: number;
}

/**
 * The request made to fit `limit` estimated tokens: earlier turns go first (oldest first), then the
 * bulky arguments of this turn's older tool calls and their bulky results become short stubs, oldest
 * first. Every tool call keeps its result, so the conversation stays valid for the provider.
 * The input is not changed.
 */
export function fitContext(
  messages: readonly LlmMessage[],
  limit: number,
  shape: ContextShape,
): LlmMessage[] {
  const out = [...messages];
  let estimate = estimateTokens(out);
  let { turnStart, keepFrom } = shape;
  // Earlier turns: plain user/assistant texts, dropped whole, oldest first (index 0 is the system message).
  while (estimate > limit && turnStart > 1) {
    const [dropped] = out.splice(1, 1);
    estimate -= estimateTokens([dropped]);
    turnStart--;
    keepFrom--;
  }
  for (let i = turnStart; i < keepFrom && estimate > limit; i++) {
    const before = estimateTokens([out[i]]);
    out[i] = stub(out[i]);
    estimate += estimateTokens([out[i]]) - before;
  }
  return out;
}

function stub(m: LlmMessage): LlmMessage {
  if (m.role === 'tool' && m.content.length > STUB_FROM_CHARS) {
    return {
      ...m,
      content: JSON.stringify({
        ok: parseOk(m.content),
        note: `result of ${m.content.length} characters omitted to save context; call the tool again if you need it`,
      }),
    };
  }
  if (m.role === 'assistant' && m.toolCalls?.some((c) => c.arguments.length > STUB_FROM_CHARS)) {
    return {
      ...m,
      toolCalls: m.toolCalls.map((c) =>
        c.arguments.length > STUB_FROM_CHARS ? { ...c, arguments: stubArguments(c.arguments) } : c,
      ),
    };
  }
  return m;
}

/** The same JSON object with its long strings replaced by their size, so the call still reads as valid JSON. */
function stubArguments(raw: string): string {
  try {
    const value = JSON.parse(raw) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      const out: Record<string, unknown> = {};
      for (const [key, v] of Object.entries(value)) {
        out[key] =
          typeof v === 'string' && v.length > 100
            ? `[${v.length} characters omitted to save context]`
            : v;
      }
      return JSON.stringify(out);
    }
  } catch {
    // Malformed arguments: fall through to the generic stub.
  }
  return JSON.stringify({ omitted: `${raw.length} characters of arguments` });
}

function parseOk(content: string): boolean {
  try {
    return (JSON.parse(content) as { ok?: unknown }).ok !== false;
  } catch {
    return true;
  }
}
