import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LookupGate, LookupsBusy } from './lookup-gate.js';
import { TargetRefused, vetTarget } from './target-address.js';

// A DNS server that never answers: a UDP socket on loopback that drops every query.
const hole = createSocket('udp4');
let server = '';
beforeAll(async () => {
  await new Promise<void>((r) => hole.bind(0, '127.0.0.1', r));
  server = `127.0.0.1:${hole.address().port}`;
});
afterAll(() => {
  hole.close();
});

const settleWithin = (p: Promise<unknown>, ms: number) =>
  Promise.race([
    p.then(
      () => 'resolved',
      (err: unknown) => err,
    ),
    new Promise((r) => setTimeout(() => r(`still waiting after ${ms} ms`), ms).unref()),
  ]);

describe('vetTarget with a DNS server that never answers', () => {
  it('gives up within the bound it is given, as a refused target', async () => {
    const outcome = await settleWithin(
      vetTarget(new URL('https://hooks.slow-dns.example/x'), false, 300, { servers: [server] }),
      3000,
    );
    expect(outcome).toBeInstanceOf(TargetRefused);
  });

  it('answers localhost and IP literals without asking it', async () => {
    const url = (s: string) => new URL(`http://${s}:8080/x`);
    await expect(vetTarget(url('localhost'), true, 300, { servers: [server] })).resolves.toEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(vetTarget(url('[::1]'), true, 300, { servers: [server] })).resolves.toEqual({
      address: '::1',
      family: 6,
    });
    await expect(vetTarget(url('localhost'), false, 300, { servers: [server] })).rejects.toThrow(
      TargetRefused,
    );
  });

  it('refuses a look-up past the per-user bound at once, and frees the place when one ends', async () => {
    const gate = new LookupGate(10, 1);
    const opts = { servers: [server], gate, userId: 7 };
    const hanging = vetTarget(new URL('https://a.slow-dns.example/'), false, 500, opts);
    await expect(
      vetTarget(new URL('https://b.slow-dns.example/'), false, 500, opts),
    ).rejects.toThrow(LookupsBusy);
    // Another user still gets a place.
    const other = vetTarget(new URL('https://c.slow-dns.example/'), false, 300, {
      ...opts,
      userId: 8,
    });
    await expect(other).rejects.toThrow(TargetRefused);
    await expect(hanging).rejects.toThrow(TargetRefused);
    await expect(
      vetTarget(new URL('https://d.slow-dns.example/'), false, 300, opts),
    ).rejects.toThrow(TargetRefused);
  });

  it('refuses past the global bound', () => {
    const gate = new LookupGate(2, 2);
    gate.enter(1);
    gate.enter(2);
    expect(() => gate.enter(3)).toThrow(LookupsBusy);
  });
});
