/**
 * What a tenant's upstream host really is: public, loopback, or something a
 * tenant may never point the resolver at (docs/operations.md §2). It works on what the
 * socket will reach, not on how the host was spelled: every host is
 * normalized the WHATWG way (`0x7f.1`, `2130706433` and `0177.0.0.1` are all
 * 127.0.0.1, as `inet_aton` and the URL parser read them), and IPv6 forms that
 * embed an IPv4 address are judged by that address. A name is not resolved
 * here (this module does no I/O): upstream-host-check.ts resolves public
 * names and judges each address with this same function.
 *
 * @see https://url.spec.whatwg.org/#host-parsing
 */
import { type Ipv6Options, parseIpv6Groups } from '../dns/ip-address';
import { endsInNumber, formatIpv4, parseIpv4Host } from './ipv4-host';
import {
  describeIpv4,
  embeddedIpv4,
  isGlobalUnicast,
  isIpv6Loopback,
  refusedIpv6Range,
} from './special-purpose-ranges';

/**
 * An embedded IPv4 tail is read without leading zeros: `::ffff:010.0.0.1`
 * is octal to some parsers and decimal to others, so it is no address at all.
 */
const HOST_IPV6: Ipv6Options = { ipv4Tail: { leadingZeros: false } };

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

/** `message` says what the host is, e.g. `host 127.0.0.1 is a loopback address in 127.0.0.0/8`. */
export type HostVerdict =
  | { kind: 'public' }
  | { kind: 'loopback'; message: string }
  | { kind: 'refused'; message: string };

/** The URL, or null where `new URL()` throws. */
export function parseUrl(text: string): URL | null {
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
export function classifyHost(host: string): HostVerdict {
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
    const pieces = parseIpv6Groups(inner, HOST_IPV6);
    if (pieces === null)
      return { kind: 'refused', message: `host "${written}" is not an IPv6 address` };
    return classifyIpv6(pieces, written);
  }
  if (endsInNumber(host)) {
    const address = parseIpv4Host(host);
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

/** `label` names the host as the message should show it, e.g. `host 10.0.0.1`. */
function classifyIpv4(address: number, label: string): HostVerdict {
  const description = describeIpv4(address);
  if (description === null) return { kind: 'public' };
  const message = `${label} is ${description.what}`;
  return description.loopback
    ? { kind: 'loopback', message }
    : { kind: 'refused', message: `${message}, not allowed` };
}

function classifyIpv6(pieces: readonly number[], written: string): HostVerdict {
  const label = `host ${written.startsWith('[') ? written : `[${written}]`}`;
  if (isIpv6Loopback(pieces)) {
    return { kind: 'loopback', message: `${label} is the loopback address ::1 (RFC 4291 §2.5.3)` };
  }
  const range = refusedIpv6Range(pieces);
  if (range !== undefined) {
    const hint = range.hint === undefined ? '' : ` (${range.hint})`;
    return {
      kind: 'refused',
      message: `${label} is ${range.what} in ${range.text}, not allowed${hint}`,
    };
  }
  const embedded = embeddedIpv4(pieces);
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
  if (!isGlobalUnicast(pieces)) {
    return {
      kind: 'refused',
      message: `${label} is not a global unicast address (2000::/3, RFC 4291 §2.4), not allowed`,
    };
  }
  return { kind: 'public' };
}
