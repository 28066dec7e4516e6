import type { LlmMessage } from '../llm/llm-client.js';

/**
 * Consecutive messages of one role joined into one: strict chat templates (Mistral on vLLM, Gemma)
 * answer 400 to two `user` (or two `assistant`) messages in a row, and history can hold them (a turn
 * that stored no answer, a nudge after a tool result). Tool results and an assistant message that made
 * tool calls stay as they are: each call needs its own result right after it.
 */
export function mergeRoles(messages: readonly LlmMessage[]): LlmMessage[] {
  const out: LlmMessage[] = [];
  for (const m of messages) {
    const last = out.at(-1);
    if (last && last.role === m.role && (m.role === 'user' || m.role === 'system')) {
      out[out.length - 1] = { role: m.role, content: joinText(last.content, m.content) };
    } else if (
      last?.role === 'assistant' &&
      m.role === 'assistant' &&
      !last.toolCalls?.length &&
      !m.toolCalls?.length
    ) {
      out[out.length - 1] = { role: 'assistant', content: joinText(last.content, m.content) };
    } else {
      out.push(m);
    }
  }
  return out;
}

const joinText = (a: string | null, b: string | null): string =>
  [a, b].filter((t): t is string => Boolean(t)).join('\n\n');
