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

/** `stripNul` over the string values of a JSON object (jsonb refuses U+0000 too). */
export function stripNulDeep<T>(value: T): T {
  return JSON.parse(JSON.stringify(value).replaceAll('\\u0000', '')) as T;
}
