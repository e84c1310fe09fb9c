/**
 * The IANA special-purpose address registries (RFC 6890), as far as a tenant's
 * upstream is concerned: the blocks no public resolver can live in, loopback,
 * and the IPv6 prefixes that carry an IPv4 address the traffic really reaches.
 * Addresses come in parsed: IPv4 as a 32-bit number, IPv6 as eight 16-bit groups.
 *
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
import { parseIpv4Host } from './ipv4-host';

interface Ipv4Range {
  readonly base: string;
  readonly prefix: number;
  readonly what: string;
}

/** IANA IPv4 special-purpose registry (RFC 6890) entries no public resolver can live in. */
const IPV4_REFUSED: readonly Ipv4Range[] = [
  { base: '0.0.0.0', prefix: 8, what: 'an unspecified "this network" address (RFC 1122)' },
  { base: '10.0.0.0', prefix: 8, what: 'a private address (RFC 1918)' },
  { base: '100.64.0.0', prefix: 10, what: 'a carrier-grade NAT address (RFC 6598)' },
  { base: '169.254.0.0', prefix: 16, what: 'a link-local address (RFC 3927, cloud metadata)' },
  { base: '172.16.0.0', prefix: 12, what: 'a private address (RFC 1918)' },
  { base: '192.0.0.0', prefix: 24, what: 'an IETF protocol assignment (RFC 6890)' },
  { base: '192.0.2.0', prefix: 24, what: 'a documentation address (RFC 5737)' },
  { base: '192.88.99.0', prefix: 24, what: 'a deprecated 6to4 relay address (RFC 7526)' },
  { base: '192.168.0.0', prefix: 16, what: 'a private address (RFC 1918)' },
  { base: '198.18.0.0', prefix: 15, what: 'a benchmarking address (RFC 2544)' },
  { base: '198.51.100.0', prefix: 24, what: 'a documentation address (RFC 5737)' },
  { base: '203.0.113.0', prefix: 24, what: 'a documentation address (RFC 5737)' },
  { base: '224.0.0.0', prefix: 4, what: 'a multicast address (RFC 5771)' },
  { base: '240.0.0.0', prefix: 4, what: 'a reserved or broadcast address (RFC 1112)' },
];

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3): refused unless loopback is allowed. */
const IPV4_LOOPBACK: Ipv4Range = { base: '127.0.0.0', prefix: 8, what: 'loopback' };

function inIpv4Range(address: number, range: Ipv4Range): boolean {
  const base = parseIpv4Host(range.base) ?? 0;
  const mask = range.prefix === 0 ? 0 : (0xffffffff << (32 - range.prefix)) >>> 0;
  return (address & mask) >>> 0 === (base & mask) >>> 0;
}

/** What an IPv4 address is, e.g. `a private address (RFC 1918) in 10.0.0.0/8`; null when public. */
export function describeIpv4(address: number): { loopback: boolean; what: string } | null {
  if (inIpv4Range(address, IPV4_LOOPBACK)) {
    return { loopback: true, what: 'a loopback address in 127.0.0.0/8 (RFC 1122)' };
  }
  const range = IPV4_REFUSED.find((candidate) => inIpv4Range(address, candidate));
  if (range === undefined) return null;
  return { loopback: false, what: `${range.what} in ${range.base}/${range.prefix}` };
}

export interface Ipv6Range {
  readonly prefix: readonly number[];
  readonly bits: number;
  readonly text: string;
  readonly what: string;
  /** What to write instead, when there is an obvious alternative. */
  readonly hint?: string;
}

/** IANA IPv6 special-purpose registry entries refused outright (checked before the 2000::/3 rule). */
const IPV6_REFUSED: readonly Ipv6Range[] = [
  { prefix: [], bits: 128, text: '::/128', what: 'the unspecified address (RFC 4291 §2.5.2)' },
  {
    prefix: [0, 0, 0, 0, 0, 0xffff],
    bits: 96,
    text: '::ffff:0:0/96',
    what: 'an IPv4-mapped address (RFC 4291 §2.5.5.2)',
    hint: 'write the IPv4 address itself',
  },
  {
    prefix: [0, 0, 0, 0, 0xffff, 0],
    bits: 96,
    text: '::ffff:0:0:0/96',
    what: 'an IPv4-translated address (RFC 2765)',
  },
  {
    prefix: [],
    bits: 96,
    text: '::/96',
    what: 'a deprecated IPv4-compatible address (RFC 4291 §2.5.5.1)',
  },
  {
    prefix: [0x64, 0xff9b, 1],
    bits: 48,
    text: '64:ff9b:1::/48',
    what: 'a local-use NAT64 address (RFC 8215)',
  },
  { prefix: [0x100], bits: 64, text: '100::/64', what: 'a discard-only address (RFC 6666)' },
  {
    prefix: [0x2001],
    bits: 23,
    text: '2001::/23',
    what: 'an IETF protocol assignment such as Teredo (RFC 2928, RFC 4380)',
  },
  {
    prefix: [0x2001, 0xdb8],
    bits: 32,
    text: '2001:db8::/32',
    what: 'a documentation address (RFC 3849)',
  },
  { prefix: [0x3fff], bits: 20, text: '3fff::/20', what: 'a documentation address (RFC 9637)' },
  { prefix: [0xfc00], bits: 7, text: 'fc00::/7', what: 'a unique-local address (RFC 4193)' },
  { prefix: [0xfe80], bits: 10, text: 'fe80::/10', what: 'a link-local address (RFC 4291 §2.5.6)' },
  {
    prefix: [0xfec0],
    bits: 10,
    text: 'fec0::/10',
    what: 'a deprecated site-local address (RFC 3879)',
  },
  { prefix: [0xff00], bits: 8, text: 'ff00::/8', what: 'a multicast address (RFC 4291 §2.7)' },
];

/** ::1 (RFC 4291 §2.5.3): refused unless loopback is allowed. */
const IPV6_LOOPBACK = [0, 0, 0, 0, 0, 0, 0, 1];
/** NAT64 well-known prefix (RFC 6052 §2.1): the last 32 bits are the IPv4 address reached. */
const NAT64_PREFIX = [0x64, 0xff9b, 0, 0, 0, 0];
/** 6to4 (RFC 3056 §2): bits 16..47 are the IPv4 address of the tunnel end. */
const SIX_TO_FOUR_PREFIX = [0x2002];
/** Global unicast (RFC 4291 §2.4): every other IPv6 block is special-purpose or unassigned. */
const GLOBAL_UNICAST_PREFIX = [0x2000];

/** ::1 (RFC 4291 §2.5.3). */
export function isIpv6Loopback(pieces: readonly number[]): boolean {
  return hasPrefix(pieces, IPV6_LOOPBACK, 128);
}

/** The refused block an IPv6 address lies in, or undefined. */
export function refusedIpv6Range(pieces: readonly number[]): Ipv6Range | undefined {
  return IPV6_REFUSED.find((candidate) => hasPrefix(pieces, candidate.prefix, candidate.bits));
}

/** The IPv4 address a NAT64 or 6to4 address reaches, and through which prefix; else undefined. */
export function embeddedIpv4(
  pieces: readonly number[],
): { via: string; address: number } | undefined {
  if (hasPrefix(pieces, NAT64_PREFIX, 96)) {
    return { via: 'NAT64 64:ff9b::/96', address: ipv4OfGroups(pieces[6] ?? 0, pieces[7] ?? 0) };
  }
  if (hasPrefix(pieces, SIX_TO_FOUR_PREFIX, 16)) {
    return { via: '6to4 2002::/16', address: ipv4OfGroups(pieces[1] ?? 0, pieces[2] ?? 0) };
  }
  return undefined;
}

/** In 2000::/3, the only block handed out for global unicast (RFC 4291 §2.4). */
export function isGlobalUnicast(pieces: readonly number[]): boolean {
  return hasPrefix(pieces, GLOBAL_UNICAST_PREFIX, 3);
}

function ipv4OfGroups(high: number, low: number): number {
  return high * 0x10000 + low;
}

/** True when the first `bits` of the address equal the prefix given as pieces. */
function hasPrefix(pieces: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let bit = 0; bit < bits; bit += 16) {
    const width = Math.min(16, bits - bit);
    const mask = (0xffff << (16 - width)) & 0xffff;
    const index = bit / 16;
    if (((pieces[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}
