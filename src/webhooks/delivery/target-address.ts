import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { LookupGate } from './lookup-gate.js';

/** An address a delivery may connect to, checked once and then used as is (no second DNS answer). */
export interface VettedAddress {
  address: string;
  family: 4 | 6;
}

/** Why a target was refused; the message is safe to show to the webhook's owner. */
export class TargetRefused extends Error {}

/** ::/96, the IPv4-compatible addresses (`::` and `::1` are in it too, and refused anyway). */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

/**
 * Whether an IP address is on the public internet. Only ipaddr.js's `unicast` range passes: loopback,
 * RFC 1918, CGNAT (100.64/10), link-local (169.254/16 with the cloud metadata address, fe80::/10),
 * unique-local (fc00::/7), unspecified, multicast, broadcast, reserved and documentation ranges are
 * refused, and so are IPv6 forms that carry an IPv4 address (NAT64, 6to4, Teredo, IPv4-compatible
 * `::a.b.c.d`), except an IPv4-mapped one whose IPv4 address is itself public.
 */
export function isPublicAddress(ip: string): boolean {
  if (!ipaddr.isValid(ip)) {
    return false;
  }
  let addr = ipaddr.parse(ip);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) {
      addr = v6.toIPv4Address();
    } else if (v6.match(IPV4_COMPATIBLE)) {
      // ::a.b.c.d (deprecated by RFC 4291, and `[::127.0.0.1]` in a URL becomes `[::7f00:1]`):
      // ipaddr.js calls it unicast, but it only ever carries an IPv4 address; never a public target.
      return false;
    }
  }
  return addr.range() === 'unicast';
}

/** The host of a URL as DNS or the IP parser wants it (IPv6 literals lose their brackets). */
const bareHost = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1');

type Resolved = { address: string; family: number }[];

/** What /etc/hosts and RFC 6761 say `localhost` (and `*.localhost`) is, which the resolver never asks. */
const LOCALHOST: Resolved = [
  { address: '127.0.0.1', family: 4 },
  { address: '::1', family: 6 },
];
const isLocalhost = (host: string) => /^(.+\.)?localhost\.?$/i.test(host);

/** How look-ups are made: the servers to ask (default: the system's) and the gate that bounds them. */
export interface LookupOptions {
  servers?: string[];
  gate?: LookupGate;
  userId?: number;
}

/**
 * A and AAAA records from a resolver of its own (c-ares: sockets, no libuv thread held), given up and
 * cancelled once `timeoutMs` have passed. It reads no /etc/hosts (see `LOCALHOST`).
 */
async function resolveWithin(
  host: string,
  timeoutMs: number,
  servers?: string[],
): Promise<Resolved> {
  // Two tries of a third each (c-ares doubles the second), then the timer below cancels what is left.
  const resolver = new Resolver({ timeout: Math.max(Math.floor(timeoutMs / 3), 1), tries: 2 });
  if (servers?.length) {
    resolver.setServers(servers);
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    const [v4, v6] = await Promise.race([
      Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('DNS timeout')), timeoutMs);
      }),
    ]);
    return [
      ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
      ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
    ];
  } finally {
    clearTimeout(timer);
    resolver.cancel();
  }
}

/**
 * Resolves the URL's host and checks every address it resolves to; returns the first, which is the one
 * the delivery connects to. With `allowPrivate` only the resolution is done. A resolution that takes
 * longer than `timeoutMs` counts as none: the registration answers in time, and a delivery attempt
 * stays within the lease that covers its look-up and its POST. Every resolved address is checked, so
 * a name that resolves to one private address among public ones is refused. Past the gate's bounds
 * it throws `LookupsBusy` (nothing was resolved).
 */
export async function vetTarget(
  url: URL,
  allowPrivate: boolean,
  timeoutMs: number,
  opts: LookupOptions = {},
): Promise<VettedAddress> {
  const host = bareHost(url);
  // Without private targets, "does not resolve" and "resolves to a private address" answer alike, so
  // registrations cannot be used to map which internal names exist or where they point.
  const refused = () =>
    new TargetRefused(
      allowPrivate
        ? `the host name ${host} does not resolve`
        : `${host} is not a public address or does not resolve to public addresses only ` +
            '(loopback, private, link-local and similar targets are refused)',
    );
  const literal = isIP(host);
  let addresses: Resolved;
  if (literal !== 0) {
    addresses = [{ address: host, family: literal }];
  } else if (isLocalhost(host)) {
    addresses = LOCALHOST;
  } else {
    const release = opts.gate?.enter(opts.userId ?? 0);
    try {
      addresses = await resolveWithin(host, timeoutMs, opts.servers);
    } catch {
      throw refused();
    } finally {
      release?.();
    }
  }
  if (addresses.length === 0) {
    throw refused();
  }
  if (!allowPrivate && addresses.some((a) => !isPublicAddress(a.address))) {
    throw refused();
  }
  const [first] = addresses;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
