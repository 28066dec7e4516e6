import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { newMessageId, newSigningSecret, signWebhook } from './signature.js';

describe('signWebhook', () => {
  it('matches the Standard Webhooks published test vector', () => {
    expect(
      signWebhook(
        'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('accepts the secret without its whsec_ prefix, as the reference libraries do', () => {
    expect(
      signWebhook(
        'MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
        'msg_p5jXN8AQM9LWM0D4loKWxJek',
        1614265330,
        '{"test": 2432232314}',
      ),
    ).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('signs the id, the timestamp and the exact body: changing any one changes the signature', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const base = signWebhook(secret, 'msg_1', 1700000000, '{"a":1}');
    expect(signWebhook(secret, 'msg_2', 1700000000, '{"a":1}')).not.toBe(base);
    expect(signWebhook(secret, 'msg_1', 1700000001, '{"a":1}')).not.toBe(base);
    expect(signWebhook(secret, 'msg_1', 1700000000, '{"a": 1}')).not.toBe(base);
  });

  it('keys the HMAC by the decoded secret bytes, not by its text', () => {
    const secret = newSigningSecret();
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = createHmac('sha256', key).update('msg_x.1.{}').digest('base64');
    expect(signWebhook(secret, 'msg_x', 1, '{}')).toBe(`v1,${expected}`);
  });
});

describe('newSigningSecret and newMessageId', () => {
  it('makes whsec_ secrets of 32 random bytes, each different', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(a.slice(6), 'base64')).toHaveLength(32);
    expect(newSigningSecret()).not.toBe(a);
  });

  it('makes msg_ ids', () => {
    expect(newMessageId()).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(newMessageId()).not.toBe(newMessageId());
  });
});
