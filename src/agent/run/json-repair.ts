/**
 * Tool arguments as models really write them. Besides valid JSON: trailing commas before `}` or `]`
 * (common with small local models) and the whole object double-encoded as a JSON string
 * ("{\"filename\": …}", seen from several OpenAI-compatible servers). Anything else stays invalid.
 */
export interface RepairedArguments {
  /** The arguments as a JSON object text, repaired when it needed it. */
  json: string;
  value: Record<string, unknown>;
  /** What was repaired, for the step; absent when the text was valid as it came. */
  repaired?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function tryParse(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** Removes commas that stand right before a closing `}` or `]`, outside strings. */
export function removeTrailingCommas(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') {
        out += text[++i] ?? '';
      } else if (c === '"') {
        inString = false;
      }
      continue;
    }
    if (c === '"') {
      inString = true;
    } else if (c === ',') {
      let j = i + 1;
      while (j < text.length && /\s/.test(text[j])) {
        j++;
      }
      if (text[j] === '}' || text[j] === ']') {
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The arguments object, repaired when possible; null when the text is not one even after repair. */
export function repairArguments(raw: string): RepairedArguments | null {
  const text = raw.trim() === '' ? '{}' : raw;
  const fixes: string[] = [];
  let parsed = tryParse(text);
  if (!parsed.ok) {
    parsed = tryParse(removeTrailingCommas(text));
    if (!parsed.ok) {
      return null;
    }
    fixes.push('trailing commas removed');
  }
  let value = parsed.value;
  if (typeof value === 'string') {
    // Double-encoded: the object was sent as a JSON string holding it.
    let inner = tryParse(value);
    if (!inner.ok) {
      inner = tryParse(removeTrailingCommas(value));
      if (inner.ok) {
        fixes.push('trailing commas removed');
      }
    }
    if (!inner.ok || !isObject(inner.value)) {
      return null;
    }
    fixes.unshift('arguments were double-encoded as a JSON string');
    value = inner.value;
  }
  if (!isObject(value)) {
    return null;
  }
  return fixes.length
    ? { json: JSON.stringify(value), value, repaired: fixes.join('; ') }
    : { json: raw, value };
}
