import { createHash, randomInt } from 'node:crypto';

/** Every key starts with this, so the guard (and secret scanners) can tell a key from a JWT at a glance. */
export const API_KEY_PREFIX = 'aeio_';
/** Random characters after the prefix: 40 base62 characters ≈ 238 bits. */
export const API_KEY_RANDOM_CHARS = 40;
/** Characters of the key kept in the clear (`prefix`), enough to recognise a key in a list. */
const SHOWN_CHARS = API_KEY_PREFIX.length + 8;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SHAPE = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{${API_KEY_RANDOM_CHARS}}$`);

/** A new key: the prefix and base62 characters drawn uniformly by the CSPRNG (`randomInt` has no modulo bias). */
export function generateApiKey(): string {
  let random = '';
  for (let i = 0; i < API_KEY_RANDOM_CHARS; i++) {
    random += BASE62[randomInt(BASE62.length)];
  }
  return API_KEY_PREFIX + random;
}

/** Whether a bearer credential is meant as an API key (the guard routes it by this alone). */
export const looksLikeApiKey = (token: string): boolean => token.startsWith(API_KEY_PREFIX);

/** Whether it has exactly the shape `generateApiKey` makes (anything else is refused without a lookup). */
export const isWellFormedApiKey = (key: string): boolean => SHAPE.test(key);

/**
 * What the database keeps: SHA-256 of the key, in hex. A slow password hash (argon2) is not needed and
 * would cost ~50 ms per request: the key has ~238 bits of entropy, so a leaked hash cannot be guessed
 * back, while an unsalted fast hash still allows the indexed lookup by hash that a per-request check needs.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** The part of a key shown in lists (`aeio_` and its first 8 random characters). */
export const apiKeyPrefix = (key: string): string => key.slice(0, SHOWN_CHARS);
