/**
 * EDNS Client Subnet (RFC 7871) for tenants that opt in (SPEC §6). Stripped
 * by default for privacy; when a tenant asks for it, the client's address is
 * cut to the prefix lengths RFC 7871 §11.1 recommends as the maximum before
 * it leaves the worker.
 */
import { decodeMessage, encodeMessage, makeOption, optRecords } from './codec';
import { CLIENT_SUBNET_OPTION_CODE } from './edns';

/** RFC 7871 §11.1: at most /24 of an IPv4 address. */
export const IPV4_SOURCE_PREFIX = 24;
/** RFC 7871 §11.1: at most /56 of an IPv6 address. */
export const IPV6_SOURCE_PREFIX = 56;

/** Address families of RFC 7871 §6 (IANA address family numbers). */
const FAMILY_IPV4 = 1;
const FAMILY_IPV6 = 2;

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
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : Number.NaN));
  if (bytes.some((b) => !(b >= 0 && b <= 255))) return null;
  return new Uint8Array(bytes);
}

const IPV6_GROUPS = 8;

function parseIpv6(text: string): Uint8Array | null {
  const halves = text.toLowerCase().split('::');
  if (halves.length > 2) return null;
  const groupsOf = (part: string | undefined) => (part ? part.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  const missing = IPV6_GROUPS - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const bytes = new Uint8Array(16);
  for (const [i, group] of groups.entries()) {
    if (!/^[0-9a-f]{1,4}$/.test(group)) return null;
    const value = Number.parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 0xff;
  }
  return bytes;
}
