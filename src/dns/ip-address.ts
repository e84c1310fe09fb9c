/**
 * IP addresses in their textual forms: the dotted quad (RFC 1035 §3.4.1, as
 * A records and client addresses spell it) and the colon-hex forms of
 * RFC 4291 §2.2. One parser serves the pool's dedup keys, the client subnet
 * and the tenant upstream policy, so they never disagree on what an address
 * is; each says how it reads the spellings where they differ.
 *
 * This is not the WHATWG URL host parser: `0x7f.1` and `2130706433` are not
 * addresses here (src/tenants/ipv4-host.ts reads hosts that way).
 */

/** Octets in an IPv4 address. */
const IPV4_OCTETS = 4;
/** Largest value of one IPv4 octet. */
const IPV4_OCTET_MAX = 255;
/** 16-bit groups in an IPv6 address. */
const IPV6_GROUPS = 8;

export interface DottedQuadOptions {
  /**
   * Whether `010` counts, as decimal 10 (what dns-packet and RDATA mean), or
   * is refused because another parser (inet_aton, WHATWG) would read it as octal.
   */
  readonly leadingZeros: boolean;
}

/**
 * The four octets of a dotted quad: exactly four decimal parts of one to three
 * digits, each at most 255. Null for anything else (`1.2.3`, `0x7f.0.0.1`).
 */
export function parseDottedQuad(
  text: string,
  options: DottedQuadOptions = { leadingZeros: true },
): number[] | null {
  const parts = text.split('.');
  if (parts.length !== IPV4_OCTETS) return null;
  const octets: number[] = [];
  for (const part of parts) {
    // At most three digits: a longer run is not a dotted quad even if its value fits.
    if (!/^\d{1,3}$/.test(part)) return null;
    if (!options.leadingZeros && part.length > 1 && part.startsWith('0')) return null;
    const octet = Number(part);
    if (octet > IPV4_OCTET_MAX) return null;
    octets.push(octet);
  }
  return octets;
}

export interface Ipv6Options {
  /**
   * How the last 32 bits may be written as a dotted quad (`::ffff:192.0.2.1`,
   * RFC 4291 §2.2 item 3); null when only hex groups are accepted.
   */
  readonly ipv4Tail: DottedQuadOptions | null;
}

/**
 * The eight 16-bit groups of an IPv6 address: hex groups in either case, at
 * most one `::` standing for at least one zero group (RFC 4291 §2.2 item 2).
 * Null for anything else, zone ids (`%eth0`) included.
 */
export function parseIpv6Groups(text: string, options: Ipv6Options): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  // Only the address's last 32 bits may be a dotted quad: the end of the tail, or of the whole.
  const head = parseGroupList(halves[0] ?? '', compressed ? null : options.ipv4Tail);
  const tail = compressed ? parseGroupList(halves[1] ?? '', options.ipv4Tail) : [];
  if (head === null || tail === null) return null;
  const missing = IPV6_GROUPS - head.length - tail.length;
  if (compressed ? missing < 1 : missing !== 0) return null;
  return [...head, ...new Array<number>(missing).fill(0), ...tail];
}

/** Colon-separated hex groups; with `ipv4Tail`, a dotted quad may end the list as two groups. */
function parseGroupList(text: string, ipv4Tail: DottedQuadOptions | null): number[] | null {
  if (text === '') return [];
  const parts = text.split(':');
  const groups: number[] = [];
  for (const [index, part] of parts.entries()) {
    if (ipv4Tail !== null && index === parts.length - 1 && part.includes('.')) {
      const octets = parseDottedQuad(part, ipv4Tail);
      if (octets === null) return null;
      const [a = 0, b = 0, c = 0, d = 0] = octets;
      groups.push((a << 8) | b, (c << 8) | d);
      continue;
    }
    if (!/^[0-9a-f]{1,4}$/i.test(part)) return null;
    groups.push(Number.parseInt(part, 16));
  }
  return groups;
}
