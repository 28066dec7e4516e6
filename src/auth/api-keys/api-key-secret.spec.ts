import { describe, expect, it } from '@jest/globals';
import {
  apiKeyPrefix,
  generateApiKey,
  hashApiKey,
  isWellFormedApiKey,
  looksLikeApiKey,
} from './api-key-secret.js';

describe('API key secrets', () => {
  it('makes keys of aeio_ and 40 base62 characters', () => {
    const key = generateApiKey();
    expect(key).toMatch(/^aeio_[0-9A-Za-z]{40}$/);
    expect(isWellFormedApiKey(key)).toBe(true);
    expect(looksLikeApiKey(key)).toBe(true);
  });

  it('never makes the same key twice and uses the whole alphabet', () => {
    const keys = Array.from({ length: 2000 }, generateApiKey);
    expect(new Set(keys).size).toBe(keys.length);
    const seen = new Set(keys.join('').replaceAll('aeio_', ''));
    expect(seen.size).toBe(62);
  });

  it('hashes with SHA-256 to 64 hex characters, the same key always to the same hash', () => {
    const key = generateApiKey();
    expect(hashApiKey(key)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey(key)).toBe(hashApiKey(key));
    expect(hashApiKey(key)).not.toBe(hashApiKey(generateApiKey()));
    // A known vector, so the stored format cannot drift unnoticed.
    expect(hashApiKey('aeio_test')).toBe(
      '385a272c0e5d10e2dfd4a18df12c096754bb83f927277c4640e760a04b296513',
    );
  });

  it('shows aeio_ and the first 8 random characters as the prefix, which does not reveal the key', () => {
    const key = generateApiKey();
    expect(apiKeyPrefix(key)).toBe(key.slice(0, 13));
    expect(apiKeyPrefix(key)).toMatch(/^aeio_[0-9A-Za-z]{8}$/);
  });

  it.each([
    ['a JWT', 'eyJhbGciOiJIUzI1NiJ9.e30.sig'],
    ['too short', 'aeio_abc'],
    ['a character outside base62', `aeio_${'a'.repeat(39)}-`],
    ['too long', `aeio_${'a'.repeat(41)}`],
    ['another prefix', `aeiou${'a'.repeat(40)}`],
  ])('refuses %s as a well-formed key', (_label, value) => {
    expect(isWellFormedApiKey(value)).toBe(false);
  });
});
