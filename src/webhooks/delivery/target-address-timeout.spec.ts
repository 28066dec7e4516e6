import { describe, expect, it, jest } from '@jest/globals';

// A resolver that never answers (a name whose nameserver drops queries): Node's DNS is replaced before
// the module under test loads, the rest of node:dns/promises is kept.
const real = await import('node:dns/promises');
jest.unstable_mockModule('node:dns/promises', () => ({
  ...real,
  lookup: () => new Promise(() => undefined),
}));
const { TargetRefused, vetTarget } = await import('./target-address.js');

describe('vetTarget with a DNS server that never answers', () => {
  it('gives up within the bound it is given, as a refused target', async () => {
    const started = Date.now();
    const outcome = await Promise.race([
      vetTarget(new URL('https://hooks.slow-dns.example/x'), false, 300).then(
        () => 'resolved',
        (err: unknown) => err,
      ),
      new Promise((r) => setTimeout(() => r('still waiting after 3 s'), 3000).unref()),
    ]);
    expect(outcome).toBeInstanceOf(TargetRefused);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
