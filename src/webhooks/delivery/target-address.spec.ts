import { describe, expect, it } from '@jest/globals';
import { isPublicAddress, TargetRefused, vetTarget } from './target-address.js';

describe('isPublicAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'RFC 1918'],
    ['172.16.5.4', 'RFC 1918'],
    ['172.31.255.255', 'RFC 1918'],
    ['192.168.1.1', 'RFC 1918'],
    ['100.64.0.1', 'CGNAT'],
    ['100.127.255.254', 'CGNAT'],
    ['169.254.169.254', 'link-local (cloud metadata)'],
    ['0.0.0.0', 'unspecified'],
    ['255.255.255.255', 'broadcast'],
    ['224.0.0.1', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['::1', 'IPv6 loopback'],
    ['::', 'IPv6 unspecified'],
    ['fe80::1', 'IPv6 link-local'],
    ['fc00::1', 'unique local'],
    ['fd12:3456:789a::1', 'unique local'],
    ['ff02::1', 'IPv6 multicast'],
    ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
    ['::ffff:10.1.2.3', 'IPv4-mapped private'],
    ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
    ['64:ff9b::a00:1', 'NAT64 of a private address'],
    ['::7f00:1', 'IPv4-compatible loopback (::127.0.0.1)'],
    ['::a9fe:a9fe', 'IPv4-compatible metadata (::169.254.169.254)'],
    ['::a00:1', 'IPv4-compatible private (::10.0.0.1)'],
    ['::808:808', 'IPv4-compatible, deprecated even for a public address'],
    ['2002:a00:1::1', '6to4'],
    ['2001:db8::1', 'documentation'],
    ['not-an-ip', 'not an address'],
  ])('refuses %s (%s)', (ip) => {
    expect(isPublicAddress(ip)).toBe(false);
  });

  it.each([
    ['93.184.216.34'],
    ['8.8.8.8'],
    ['1.1.1.1'],
    ['172.32.0.1'],
    ['100.128.0.1'],
    ['2606:4700:4700::1111'],
    ['2a00:1450:4001:81c::200e'],
    ['::ffff:8.8.8.8'],
  ])('accepts the public address %s', (ip) => {
    expect(isPublicAddress(ip)).toBe(true);
  });
});

describe('vetTarget', () => {
  it('refuses an IP literal that is not public, whatever its spelling in the URL', async () => {
    for (const url of [
      'http://127.0.0.1:8080/x',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://[::1]/',
      'http://[::ffff:7f00:1]/',
      'http://[::127.0.0.1]/',
      'http://[0:0:0:0:0:0:a9fe:a9fe]/',
      'http://169.254.169.254/latest/meta-data/',
    ]) {
      await expect(vetTarget(new URL(url), false, 5000)).rejects.toBeInstanceOf(TargetRefused);
    }
  });

  it('refuses a host name that resolves to loopback', async () => {
    await expect(vetTarget(new URL('http://localhost/'), false, 5000)).rejects.toThrow(
      /not a public address/,
    );
  });

  it('passes a public literal through unchanged, and a private one when private targets are allowed', async () => {
    await expect(vetTarget(new URL('https://8.8.8.8/'), false, 5000)).resolves.toEqual({
      address: '8.8.8.8',
      family: 4,
    });
    await expect(vetTarget(new URL('http://[::1]:9/'), true, 5000)).resolves.toEqual({
      address: '::1',
      family: 6,
    });
  });

  it('refuses a host name that does not resolve, with the private-address answer when those are refused', async () => {
    await expect(vetTarget(new URL('http://no-such-host.invalid/'), true, 5000)).rejects.toThrow(
      'the host name no-such-host.invalid does not resolve',
    );
    const [unresolved, loopback] = await Promise.all(
      ['http://no-such-host.invalid/', 'http://localhost/'].map((u) =>
        vetTarget(new URL(u), false, 5000).then(
          () => 'accepted',
          (err: Error) => err.message,
        ),
      ),
    );
    expect(unresolved).toBe(
      'no-such-host.invalid is not a public address or does not resolve to public addresses only ' +
        '(loopback, private, link-local and similar targets are refused)',
    );
    expect(loopback).toBe(unresolved.replace('no-such-host.invalid', 'localhost'));
  });
});
