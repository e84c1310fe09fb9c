/**
 * Which budget a client's request is charged to. IPv4 is keyed by the
 * address; IPv6 by its /64, because one subscriber usually gets a whole /64
 * (RFC 6177, RIPE-690) and can rotate through 2^64 addresses in it: keyed by
 * the full address, every rotation would be a fresh budget.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6177
 * @see https://www.rfc-editor.org/rfc/rfc4291#section-2.5.4
 */
import { parseDottedQuad, parseIpv6Groups } from '../dns/ip-address';

/** Groups of an IPv6 address in its /64 (16 bits each). */
const PREFIX_64_GROUPS = 4;
/** `::ffff:0:0/96` (RFC 4291 §2.5.5.2): an IPv4 client seen through a v6 socket. */
const MAPPED_IPV4_MARKER = 0xffff;

/** The key for requests without a usable client address (only seen outside Cloudflare's edge). */
export const UNKNOWN_CLIENT = 'unknown';

/**
 * `v4:<address>` or `v6:<first 64 bits>::/64`; UNKNOWN_CLIENT when `ip` is
 * absent or not an address. Two addresses in one /64 give the same key.
 */
export function clientRateKey(ip: string | undefined): string {
  if (ip === undefined) return UNKNOWN_CLIENT;
  const text = ip.trim().toLowerCase();
  const v4 = parseDottedQuad(text, { leadingZeros: false });
  if (v4 !== null) return `v4:${v4.join('.')}`;
  const groups = parseIpv6Groups(text, { ipv4Tail: { leadingZeros: false } });
  if (groups === null) return UNKNOWN_CLIENT;
  if (isMappedIpv4(groups)) {
    const [high = 0, low = 0] = groups.slice(6);
    return `v4:${[high >> 8, high & 0xff, low >> 8, low & 0xff].join('.')}`;
  }
  const prefix = groups.slice(0, PREFIX_64_GROUPS).map((group) => group.toString(16));
  return `v6:${prefix.join(':')}::/64`;
}

function isMappedIpv4(groups: readonly number[]): boolean {
  return groups.slice(0, 5).every((group) => group === 0) && groups[5] === MAPPED_IPV4_MARKER;
}
