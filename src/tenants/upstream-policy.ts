/**
 * Which upstreams a tenant may configure (SPEC §8). A tenant's upstream URL
 * becomes a `fetch()` or `connect()` from inside Cloudflare's network, so an
 * unchecked one is a server-side request forgery: cloud metadata at
 * 169.254.169.254, loopback services, private networks behind a tunnel.
 *
 * The check works on what the socket will really reach, not on how the host
 * was spelled: every host is normalized the WHATWG way (`0x7f.1`, `2130706433`
 * and `0177.0.0.1` are all 127.0.0.1, as `inet_aton` and the URL parser read
 * them), and IPv6 forms that embed an IPv4 address are judged by that address.
 * A name is not resolved here (this module does no I/O), so a public name that
 * resolves to a private address is outside its reach; the platform's egress is
 * the second line of defence there.
 */
import type { Upstream, UpstreamScheme } from '../upstream/types';

export interface TenantUpstreamOptions {
  /** ALLOW_LOOPBACK_UPSTREAMS (development): loopback hosts allowed on any port and scheme. */
  readonly allowLoopback: boolean;
}

/**
 * `http` is refused: a tenant's queries would cross the internet in clear text,
 * and DoH without TLS is not RFC 8484 (§5 requires HTTPS).
 */
const ALLOWED_SCHEMES: readonly UpstreamScheme[] = ['https', 'tls', 'tcp'];

/**
 * DNS (RFC 1035 §4.2), DoH (RFC 8484, HTTPS) and DoT (RFC 7858 §3.1), allowed
 * for every scheme: resolvers do offer DoT on 443 to get through firewalls,
 * and none of the three is where internal admin services listen, which is
 * what the port rule guards against.
 */
const ALLOWED_PORTS: readonly number[] = [53, 443, 853];

/** What fetch() connects to when a DoH URL names no port. */
const DEFAULT_HTTP_PORTS = { http: 80, https: 443 } as const;

/** `name=` prefix of an entry, as parseUpstreams reads it. */
const NAMED_ENTRY = /^([^=:/]*)=(.*)$/s;
/** `scheme://` and the authority: everything up to the path, query or fragment. */
const SCHEME_AND_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

/**
 * Name suffixes that only mean something on a local network: mDNS (RFC 6762),
 * the home network zone (RFC 8375), the ICANN private-use TLD `internal`
 * (cloud metadata lives at metadata.google.internal) and the TLDs RFC 6762
 * Appendix G found in private use.
 */
const LOCAL_SUFFIXES: readonly string[] = [
  'local',
  'internal',
  'home.arpa',
  'lan',
  'home',
  'corp',
  'intranet',
  'private',
];

/** One hostname label: letters, digits, hyphen, underscore; 1..63 octets (RFC 1035 §2.3.4). */
const NAME_LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/**
 * Returns null when a tenant may use this upstream, else one sentence saying
 * what is refused, naming the scheme, port or host (SPEC §8: https/tls/tcp on
 * 443/853/53, never private, loopback or link-local; development may allow
 * loopback explicitly). `rawEntry` is the `name=url` text the upstream was
 * parsed from: its host is normalized here independently of the parser, and
 * the stricter reading wins.
 *
 * @see https://url.spec.whatwg.org/#concept-ipv4-parser
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export function checkTenantUpstream(
  upstream: Upstream,
  rawEntry: string,
  options: TenantUpstreamOptions,
): string | null {
  if (rawEntry.includes('\\')) {
    return 'backslash not allowed (URL parsers read it as "/", which can move the host)';
  }
  const named = NAMED_ENTRY.exec(rawEntry.trim());
  const url = (named?.[2] ?? rawEntry).trim();
  const authority = SCHEME_AND_AUTHORITY.exec(url)?.[2];
  if (authority === undefined) return `"${url}" is not a scheme://host URL`;
  if (authority.includes('@')) return 'userinfo (user@host) not allowed in an upstream URL';

  // The host and port as written, as parsed, and (for DoH) as fetch() will use them.
  const hosts = new Set([hostOfAuthority(authority), upstream.hostname]);
  const ports = new Set([upstream.port]);
  if (upstream.scheme === 'http' || upstream.scheme === 'https') {
    const parsed = parseUrl(upstream.url);
    if (parsed === null) return `"${upstream.url}" is not a valid URL`;
    if (parsed.username !== '' || parsed.password !== '') {
      return 'userinfo (user@host) not allowed in an upstream URL';
    }
    hosts.add(parsed.hostname);
    ports.add(parsed.port === '' ? DEFAULT_HTTP_PORTS[upstream.scheme] : Number(parsed.port));
  }

  let loopback = false;
  for (const host of hosts) {
    const verdict = classifyHost(host);
    if (verdict.kind === 'refused') return verdict.message;
    if (verdict.kind === 'loopback') {
      if (!options.allowLoopback) {
        return `${verdict.message}, only allowed with ALLOW_LOOPBACK_UPSTREAMS=true (development)`;
      }
      loopback = true;
    }
  }
  // A development fleet on 127.0.0.1 listens on ephemeral ports and speaks plain HTTP.
  if (loopback) return null;

  if (!ALLOWED_SCHEMES.includes(upstream.scheme)) {
    return `scheme ${upstream.scheme} not allowed (only ${ALLOWED_SCHEMES.join(', ')})`;
  }
  for (const port of ports) {
    if (!ALLOWED_PORTS.includes(port)) {
      return `port ${port} not allowed (only ${ALLOWED_PORTS.join(', ')})`;
    }
  }
  return null;
}

/** `message` says what the host is, e.g. `host 127.0.0.1 is a loopback address in 127.0.0.0/8`. */
type HostVerdict =
  | { kind: 'public' }
  | { kind: 'loopback'; message: string }
  | { kind: 'refused'; message: string };

/** The host part of `host[:port]` or `[ipv6][:port]`, as written. */
function hostOfAuthority(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end === -1 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.indexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}

/** Refused beats loopback beats public; a tie keeps the first verdict. */
const SEVERITY: Readonly<Record<HostVerdict['kind'], number>> = {
  public: 0,
  loopback: 1,
  refused: 2,
};

/** Printable ASCII: a host outside it is an IDN or a trick, read differently by different parsers. */
const ASCII_HOST = /^[\x21-\x7e]+$/;

/**
 * Judges a host as written and as the WHATWG URL parser canonicalizes it
 * (percent-decoding, IDNA mapping); the stricter verdict wins, and on a tie
 * the message shows the host as the tenant wrote it.
 */
function classifyHost(host: string): HostVerdict {
  if (host === '') return { kind: 'refused', message: 'no host in the upstream URL' };
  const bracketed = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const canonical = parseUrl(`http://${bracketed}/`)?.hostname;
  if (canonical !== undefined && !ASCII_HOST.test(host)) {
    // Fullwidth `１２７.０.０.１` is 127.0.0.1 to the URL parser; punycode is unambiguous.
    return {
      kind: 'refused',
      message: `host "${host}" is not ASCII (a URL parser reads it as ${canonical}); write IDNs in punycode`,
    };
  }
  if (canonical !== undefined && host.includes('%')) {
    return {
      kind: 'refused',
      message: `host "${host}" is percent-encoded (a URL parser reads it as ${canonical})`,
    };
  }
  const asWritten = classifyAsciiHost(host);
  if (asWritten.kind === 'refused') return asWritten;
  if (canonical === undefined) return { kind: 'refused', message: `host "${host}" is not valid` };
  if (canonical === host.toLowerCase()) return asWritten;
  const asParsed = classifyAsciiHost(canonical);
  return SEVERITY[asParsed.kind] > SEVERITY[asWritten.kind] ? asParsed : asWritten;
}

/** Classifies an ASCII host: bracketed or bare IPv6, something ending in a number (IPv4), or a name. */
function classifyAsciiHost(written: string): HostVerdict {
  const host = written.toLowerCase();
  if (host.startsWith('[') || host.includes(':')) {
    const inner = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
    const pieces = parseIpv6(inner);
    if (pieces === null)
      return { kind: 'refused', message: `host "${written}" is not an IPv6 address` };
    return classifyIpv6(pieces, written);
  }
  if (endsInNumber(host)) {
    const address = parseIpv4(host);
    if (address === null) {
      return {
        kind: 'refused',
        message: `host "${written}" ends in a number but is not a valid IPv4 address`,
      };
    }
    const dotted = formatIpv4(address);
    const spelled = dotted === host ? dotted : `"${written}" (the IPv4 address ${dotted})`;
    return classifyIpv4(address, `host ${spelled}`);
  }
  return classifyName(host, written);
}

function classifyName(host: string, written: string): HostVerdict {
  // One trailing dot is the same name (fully qualified); it must not dodge the suffix rules.
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  if (!labels.every((label) => NAME_LABEL.test(label))) {
    return {
      kind: 'refused',
      message: `host "${written}" is not a valid hostname (letters, digits, hyphens; IDNs in punycode)`,
    };
  }
  // RFC 6761 §6.3: localhost and its subdomains resolve to loopback.
  if (name === 'localhost' || name.endsWith('.localhost')) {
    return { kind: 'loopback', message: `host "${written}" is a loopback name (RFC 6761 §6.3)` };
  }
  const local = LOCAL_SUFFIXES.find((suffix) => name === suffix || name.endsWith(`.${suffix}`));
  if (local !== undefined) {
    return {
      kind: 'refused',
      message: `host "${written}" is a local-network name (.${local}), not a public resolver`,
    };
  }
  if (labels.length < 2) {
    // A single label is completed with a search domain (GCP answers `metadata`).
    return {
      kind: 'refused',
      message: `host "${written}" is a single-label name; give a fully qualified public name`,
    };
  }
  return { kind: 'public' };
}

// ---------------------------------------------------------------------------
// IPv4, as the WHATWG URL host parser reads it (and inet_aton before it).

/** WHATWG "ends in a number": the last label is all digits or `0x` hex, so the host is an address. */
function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  const last = parts.at(-1) ?? '';
  return /^[0-9]+$/.test(last) || parseIpv4Number(last) !== null;
}

/** One part of an IPv4 host: decimal, `0x` hex or leading-zero octal; null when not a number. */
function parseIpv4Number(part: string): number | null {
  if (part === '') return null;
  let digits = part;
  let pattern = /^[0-9]*$/;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    pattern = /^[0-9a-f]*$/i;
    radix = 16;
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    pattern = /^[0-7]*$/;
    radix = 8;
  }
  if (!pattern.test(digits)) return null;
  return digits === '' ? 0 : Number.parseInt(digits, radix);
}

/** 1 to 4 parts; the last fills the remaining bytes (`127.1` is 127.0.0.1). Null when invalid. */
function parseIpv4(host: string): number | null {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Number(part);
    if (value === null) return null;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((value) => value > 255)) return null;
  if (last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum, value, index) => sum + value * 256 ** (3 - index), last);
}

function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

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
  const base = parseIpv4(range.base) ?? 0;
  const mask = range.prefix === 0 ? 0 : (0xffffffff << (32 - range.prefix)) >>> 0;
  return (address & mask) >>> 0 === (base & mask) >>> 0;
}

/** What an IPv4 address is, e.g. `a private address (RFC 1918) in 10.0.0.0/8`; null when public. */
function describeIpv4(address: number): { loopback: boolean; what: string } | null {
  if (inIpv4Range(address, IPV4_LOOPBACK)) {
    return { loopback: true, what: 'a loopback address in 127.0.0.0/8 (RFC 1122)' };
  }
  const range = IPV4_REFUSED.find((candidate) => inIpv4Range(address, candidate));
  if (range === undefined) return null;
  return { loopback: false, what: `${range.what} in ${range.base}/${range.prefix}` };
}

/** `label` names the host as the message should show it, e.g. `host 10.0.0.1`. */
function classifyIpv4(address: number, label: string): HostVerdict {
  const description = describeIpv4(address);
  if (description === null) return { kind: 'public' };
  const message = `${label} is ${description.what}`;
  return description.loopback
    ? { kind: 'loopback', message }
    : { kind: 'refused', message: `${message}, not allowed` };
}

// ---------------------------------------------------------------------------
// IPv6 (RFC 4291 §2.2 text forms).

const IPV6_PIECES = 8;
/** A dotted IPv4 tail as RFC 4291 §2.2 allows it: four decimal octets, no leading zeros. */
const DOTTED_QUAD =
  /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Eight 16-bit pieces, or null. Zone IDs (`%eth0`) are refused: they only make sense on-link. */
function parseIpv6(text: string): number[] | null {
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const compressed = halves.length === 2;
  // Only the address's last 32 bits may be written as a dotted quad.
  const head = splitPieces(halves[0] ?? '', !compressed);
  const tail = compressed ? splitPieces(halves[1] ?? '', true) : [];
  if (head === null || tail === null) return null;
  const count = head.length + tail.length;
  if (compressed ? count >= IPV6_PIECES : count !== IPV6_PIECES) return null;
  return [...head, ...new Array<number>(IPV6_PIECES - count).fill(0), ...tail];
}

function splitPieces(text: string, dottedTail: boolean): number[] | null {
  if (text === '') return [];
  const pieces: number[] = [];
  const groups = text.split(':');
  for (const [index, group] of groups.entries()) {
    if (dottedTail && index === groups.length - 1 && DOTTED_QUAD.test(group)) {
      const address = parseIpv4(group) ?? 0;
      pieces.push(address >>> 16, address & 0xffff);
    } else if (/^[0-9a-f]{1,4}$/.test(group)) {
      pieces.push(Number.parseInt(group, 16));
    } else {
      return null;
    }
  }
  return pieces;
}

function embeddedIpv4(high: number, low: number): number {
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

interface Ipv6Range {
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

function classifyIpv6(pieces: readonly number[], written: string): HostVerdict {
  const label = `host ${written.startsWith('[') ? written : `[${written}]`}`;
  if (hasPrefix(pieces, IPV6_LOOPBACK, 128)) {
    return { kind: 'loopback', message: `${label} is the loopback address ::1 (RFC 4291 §2.5.3)` };
  }
  const range = IPV6_REFUSED.find((candidate) =>
    hasPrefix(pieces, candidate.prefix, candidate.bits),
  );
  if (range !== undefined) {
    const hint = range.hint === undefined ? '' : ` (${range.hint})`;
    return {
      kind: 'refused',
      message: `${label} is ${range.what} in ${range.text}, not allowed${hint}`,
    };
  }
  const embedded = hasPrefix(pieces, NAT64_PREFIX, 96)
    ? { via: 'NAT64 64:ff9b::/96', address: embeddedIpv4(pieces[6] ?? 0, pieces[7] ?? 0) }
    : hasPrefix(pieces, SIX_TO_FOUR_PREFIX, 16)
      ? { via: '6to4 2002::/16', address: embeddedIpv4(pieces[1] ?? 0, pieces[2] ?? 0) }
      : undefined;
  if (embedded !== undefined) {
    // Through a translator even "loopback" is the translator's own host: never allowed.
    const inner = describeIpv4(embedded.address);
    if (inner === null) return { kind: 'public' };
    const reached = formatIpv4(embedded.address);
    return {
      kind: 'refused',
      message: `${label} reaches ${reached} through ${embedded.via}, ${inner.what}, not allowed`,
    };
  }
  if (!hasPrefix(pieces, GLOBAL_UNICAST_PREFIX, 3)) {
    return {
      kind: 'refused',
      message: `${label} is not a global unicast address (2000::/3, RFC 4291 §2.4), not allowed`,
    };
  }
  return { kind: 'public' };
}
