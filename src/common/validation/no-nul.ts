import { ValidateBy } from 'class-validator';

/** PostgreSQL text cannot hold U+0000, so free text with it is refused up front (422), not failed at insert. */
export const NoNul = () =>
  ValidateBy({
    name: 'noNul',
    validator: {
      validate: (value: unknown) => typeof value !== 'string' || !value.includes('\u0000'),
      defaultMessage: () => '$property must not contain NUL characters',
    },
  });

/** Removes U+0000 from text that comes from a model rather than a client, before it is stored. */
export const stripNul = (s: string): string =>
  s.includes('\u0000') ? s.replaceAll('\u0000', '') : s;

/**
 * `stripNul` over the strings (values and keys) of a JSON value (jsonb refuses U+0000 too). It walks the
 * value: replacing `\\u0000` in its JSON text would also eat a model's literal backslash-u0000 text.
 */
export function stripNulDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') {
    return stripNul(value);
  }
  if (Array.isArray(value)) {
    return value.map(walk);
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [stripNul(k), walk(v)]));
  }
  return value;
}
