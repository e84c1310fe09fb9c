/**
 * EDNS Client Subnet (RFC 7871) for tenants that opt in (docs/architecture.md §6). Stripped
 * by default for privacy; when a tenant asks for it, the client's address is
 * cut to the prefix lengths RFC 7871 §11.1 recommends as the maximum before
 * it leaves the worker.
 */
import { decodeMessage, encodeMessage, makeOption, optRecords } from './codec';
import { CLIENT_SUBNET_OPTION_CODE } from './edns';
import { type Ipv6Options, parseDottedQuad, parseIpv6Groups } from './ip-address';

/** RFC 7871 §11.1: at most /24 of an IPv4 address. */
export const IPV4_SOURCE_PREFIX = 24;
/** RFC 7871 §11.1: at most /56 of an IPv6 address. */
export const IPV6_SOURCE_PREFIX = 56;

/** Address families of RFC 7871 §6 (IANA address family numbers). */
const FAMILY_IPV4 = 1;
const FAMILY_IPV6 = 2;

/** Client addresses arrive as plain hex groups; an embedded IPv4 tail is not taken as an address. */
const CLIENT_IPV6: Ipv6Options = { ipv4Tail: null };

export interface ClientSubnet {
  readonly family: typeof FAMILY_IPV4 | typeof FAMILY_IPV6;
  readonly sourcePrefix: number;
  /** The address bytes that survive the prefix (ceil(prefix / 8) of them). */
  readonly address: Uint8Array;
  /** Presentation form, e.g. `192.0.2.0/24`; part of cache keys. */
  readonly text: string;
}

/** The truncated subnet of a client address, or null when it is not an IP address. */
export function clientSubnet(ip: string): ClientSubnet | null {
  const v4 = parseIpv4(ip);
  if (v4) {
    const address = v4.slice(0, IPV4_SOURCE_PREFIX / 8);
    return {
      family: FAMILY_IPV4,
      sourcePrefix: IPV4_SOURCE_PREFIX,
      address,
      text: `${[...address, 0].join('.')}/${IPV4_SOURCE_PREFIX}`,
    };
  }
  const v6 = parseIpv6(ip);
  if (!v6) return null;
  const address = v6.slice(0, IPV6_SOURCE_PREFIX / 8);
  const hex = Array.from(address, (b) => b.toString(16).padStart(2, '0')).join('');
  return {
    family: FAMILY_IPV6,
    sourcePrefix: IPV6_SOURCE_PREFIX,
    address,
    text: `${hex}::/${IPV6_SOURCE_PREFIX}`,
  };
}

/**
 * The upstream query with an ECS option for `subnet` added to its OPT record
 * (scope prefix 0, as RFC 7871 §6 requires in queries).
 */
export function withClientSubnet(upstreamQuery: Uint8Array, subnet: ClientSubnet): Uint8Array {
  const message = decodeMessage(upstreamQuery);
  const [opt] = optRecords(message);
  if (!opt) return upstreamQuery;
  const data = new Uint8Array(4 + subnet.address.length);
  new DataView(data.buffer).setUint16(0, subnet.family);
  data[2] = subnet.sourcePrefix;
  data[3] = 0;
  data.set(subnet.address, 4);
  opt.options = [...(opt.options ?? []), makeOption(CLIENT_SUBNET_OPTION_CODE, data)];
  return encodeMessage(message);
}

function parseIpv4(text: string): Uint8Array | null {
  const octets = parseDottedQuad(text, { leadingZeros: true });
  return octets === null ? null : new Uint8Array(octets);
}

function parseIpv6(text: string): Uint8Array | null {
  const groups = parseIpv6Groups(text, CLIENT_IPV6);
  if (groups === null) return null;
  const bytes = new Uint8Array(2 * groups.length);
  for (const [i, group] of groups.entries()) {
    bytes[i * 2] = group >> 8;
    bytes[i * 2 + 1] = group & 0xff;
  }
  return bytes;
}
