import { randomBytes } from 'node:crypto';

/** The rule every username follows (RegisterDto checks the same): 3–50 of these, unique ignoring case. */
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 50;
const ALLOWED_RUN = /[^A-Za-z0-9_.-]+/g;

/**
 * Makes any text a valid username, or null when nothing of it is left: accents dropped ("José" →
 * "Jose"), every run of other characters one "_", cut to 50, padded with "_" to 3.
 */
export function toValidUsername(text: string): string | null {
  const plain = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(ALLOWED_RUN, '_')
    .replace(/^_+|_+$/g, '');
  if (plain === '') {
    return null;
  }
  return plain.slice(0, USERNAME_MAX).padEnd(USERNAME_MIN, '_');
}

/** `base` with a suffix ("-2", "-3", …), cut so the whole stays within 50 characters. */
export function withSuffix(base: string, suffix: string): string {
  return base.slice(0, USERNAME_MAX - suffix.length) + suffix;
}

/** Names to try in order when `base` may be taken: base, base-2 … base-<count>. */
export function usernameCandidates(base: string, count = 20): string[] {
  return [base, ...Array.from({ length: count - 1 }, (_, i) => withSuffix(base, `-${i + 2}`))];
}

/** A last resort after every candidate was taken: a random suffix nobody else has in practice. */
export const randomUsername = (base: string): string =>
  withSuffix(base, `-${randomBytes(4).toString('hex')}`);
