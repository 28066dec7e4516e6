import { describe, expect, it } from '@jest/globals';
import { canonicalJson, requestHash } from './request-hash.js';

describe('requestHash', () => {
  it('does not depend on the order of keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    expect(requestHash('POST', '/api/sessions', { title: 't', model: null })).toBe(
      requestHash('post', '/api/sessions', { model: null, title: 't' }),
    );
  });

  it('tells apart another body, path or method', () => {
    const base = requestHash('POST', '/api/sessions', { title: 'a' });
    expect(requestHash('POST', '/api/sessions', { title: 'b' })).not.toBe(base);
    expect(requestHash('POST', '/api/sessions/x/messages', { title: 'a' })).not.toBe(base);
    expect(requestHash('PUT', '/api/sessions', { title: 'a' })).not.toBe(base);
    expect(requestHash('POST', '/api/sessions', { title: 'a', stream: false })).not.toBe(base);
  });
});
