import { describe, expect, it } from '@jest/globals';
import { SecretBox } from './secret-box.js';

describe('SecretBox', () => {
  const box = new SecretBox('a-jwt-secret-that-is-long-enough-0123456789');

  it('opens what it sealed, and never stores the plain text', () => {
    const sealed = box.seal('whsec_abc');
    expect(sealed).not.toContain('whsec_abc');
    expect(sealed.startsWith('v1:')).toBe(true);
    expect(box.open(sealed)).toBe('whsec_abc');
  });

  it('seals the same secret differently each time (random IV)', () => {
    expect(box.seal('whsec_abc')).not.toBe(box.seal('whsec_abc'));
  });

  it('refuses a sealed secret that was altered or sealed under another key', () => {
    const sealed = box.seal('whsec_abc');
    const parts = sealed.split(':');
    const flipped = Buffer.from(parts[3], 'base64');
    flipped[0] ^= 1;
    expect(box.open([...parts.slice(0, 3), flipped.toString('base64')].join(':'))).toBeNull();
    expect(new SecretBox('another-secret-entirely-0123456789abcdef').open(sealed)).toBeNull();
    expect(box.open('garbage')).toBeNull();
  });
});
