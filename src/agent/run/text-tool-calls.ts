/**
 * Tool calls a model wrote as text in its answer, when the server did not turn them into native calls
 * (tool parsing off, or a template the server does not know):
 * - Hermes / Qwen2.5 templates: `<tool_call>\n{"name": "write_file", "arguments": {…}}\n</tool_call>`
 *   (https://github.com/NousResearch/Hermes-Function-Calling, Qwen's chat template).
 * - Qwen3-Coder: `<tool_call>\n<function=write_file>\n<parameter=filename>\nindex.html\n</parameter>\n…
 *   </function>\n</tool_call>` (its chat template; the `<tool_call>` wrapper is sometimes left out).
 */
import { repairArguments } from './json-repair.js';

export interface TextToolCall {
  name: string;
  /** JSON text of the arguments; may still need repair (double-encoded, trailing commas). */
  arguments: string;
}

/** Says whether a parameter of a tool is a string (kept as written) or JSON (parsed). */
export type ParamIsString = (tool: string, key: string) => boolean;

const MARKERS = ['<tool_call>', '<function='];

/**
 * How much of `text` can be shown while it streams: everything before the first markup, less a
 * trailing piece that may be the start of one ("<tool", "<func").
 */
export function streamableLength(text: string): number {
  let end = text.length;
  for (const marker of MARKERS) {
    const at = text.indexOf(marker);
    if (at >= 0) {
      end = Math.min(end, at);
    }
  }
  if (end < text.length) {
    return end;
  }
  const longest = Math.max(...MARKERS.map((m) => m.length));
  for (let i = Math.max(0, text.length - longest + 1); i < text.length; i++) {
    if (text[i] === '<' && MARKERS.some((m) => m.startsWith(text.slice(i)))) {
      return i;
    }
  }
  return text.length;
}

const FUNCTION = /<function=([^>\s]+)>([\s\S]*?)(?:<\/function>|$)/;
const PARAMETER = /<parameter=([^>\s]+)>([\s\S]*?)<\/parameter>/g;

/** One newline after the opening tag and before the closing one belong to the markup, not the value. */
const trimOneNewline = (v: string) => v.replace(/^\r?\n/, '').replace(/\r?\n$/, '');

function functionCall(body: string, isString: ParamIsString): TextToolCall | null {
  const m = FUNCTION.exec(body);
  if (!m) {
    return null;
  }
  const name = m[1];
  const args: Record<string, unknown> = {};
  for (const p of m[2].matchAll(PARAMETER)) {
    const value = trimOneNewline(p[2]);
    if (isString(name, p[1])) {
      args[p[1]] = value;
    } else {
      const parsed = repairArguments(`{"v": ${value}}`);
      args[p[1]] = parsed ? parsed.value.v : value;
    }
  }
  return { name, arguments: JSON.stringify(args) };
}

function jsonCall(body: string): TextToolCall | null {
  const parsed = repairArguments(body.trim());
  const name = parsed?.value.name;
  if (typeof name !== 'string' || !name) {
    return null;
  }
  const args = parsed.value.arguments ?? parsed.value.parameters ?? {};
  return { name, arguments: typeof args === 'string' ? args : JSON.stringify(args) };
}

/**
 * The calls written in `text` and the text without their markup. Markup that holds no readable call
 * is removed too: it is never an answer the user should see.
 */
export function extractTextToolCalls(
  text: string,
  isString: ParamIsString = () => true,
): { content: string; calls: TextToolCall[] } {
  const calls: TextToolCall[] = [];
  let found = false;
  // A whole block, or one left open at the end of the answer (the model stopped right after it).
  const block =
    /<tool_call>([\s\S]*?)(?:<\/tool_call>|$)|<function=[^>\s]+>[\s\S]*?(?:<\/function>|$)/g;
  const content = text.replace(block, (whole: string, inner: string | undefined) => {
    found = true;
    const body = inner ?? whole;
    const call = body.includes('<function=') ? functionCall(body, isString) : jsonCall(body);
    if (call) {
      calls.push(call);
    }
    return '';
  });
  return { content: found ? content.replace(/\n{3,}/g, '\n\n').trim() : text, calls };
}
