/**
 * Canonical text forms used as dedup keys when answers from several upstreams
 * are merged (docs/architecture.md §3). Two upstreams that spell the same address or name
 * differently must produce one pool entry, never two.
 *
 * These keys are for comparison only; the decoded data of the first upstream
 * that returned a record is what gets re-encoded.
 */
import { type Ipv6Options, parseDottedQuad, parseIpv6Groups } from '../dns/ip-address';

/** Largest value of one IPv6 group. */
const IPV6_GROUP_MAX = 0xffff;
/**
 * RFC 5952 §4.2.2: `::` must not stand for a single 16-bit zero group, so only
 * runs of at least two zero groups are compressed.
 */
const MIN_COMPRESSED_ZERO_RUN = 2;
/** Groups 0-4 zero and group 5 `ffff`: the IPv4-mapped prefix ::ffff:0:0/96 (RFC 4291 §2.5.5.2). */
const IPV4_MAPPED_PREFIX_GROUPS = 6;
/** RDATA spells an embedded IPv4 as dns-packet does: decimal octets, leading zeros allowed. */
const RDATA_IPV6: Ipv6Options = { ipv4Tail: { leadingZeros: true } };

/**
 * Name-valued fields inside other record types' data. Names compare
 * case-insensitively (RFC 4343), so `MX 10 Mail.Example.` and
 * `MX 10 mail.example` are one record.
 */
const NAME_FIELDS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  MX: ['exchange'],
  SRV: ['target'],
  SOA: ['mname', 'rname'],
  NAPTR: ['replacement'],
  RP: ['mbox', 'txt'],
  NSEC: ['nextDomain'],
  RRSIG: ['signersName'],
};

/** Record types whose data is a single domain name. */
const NAME_DATA_TYPES: ReadonlySet<string> = new Set(['CNAME', 'DNAME', 'NS', 'PTR']);

/**
 * Lower-cases a domain name (ASCII only, RFC 4343 §3: DNS case folding never
 * touches non-ASCII bytes) and drops one trailing dot. The root stays `.` so it
 * is never confused with a missing name.
 */
export function canonicalName(name: string): string {
  const withoutDot = name.endsWith('.') ? name.slice(0, -1) : name;
  if (withoutDot === '') return '.';
  return withoutDot.replace(/[A-Z]/g, (letter) => letter.toLowerCase());
}

/**
 * Normalises a dotted-quad IPv4 address (`192.000.002.001` -> `192.0.2.1`).
 * Octets are read as decimal even with leading zeros, because that is what
 * dns-packet and the RDATA itself mean; returns null for anything else.
 */
export function canonicalIpv4(address: string): string | null {
  const octets = parseDottedQuad(address, { leadingZeros: true });
  return octets === null ? null : octets.join('.');
}

/**
 * Formats an IPv6 address per RFC 5952 §4: lower-case hex, no leading zeros,
 * the longest run of two or more zero groups compressed to `::` (the leftmost
 * one on ties). IPv4-mapped addresses keep their dotted tail (RFC 5952 §5).
 * Accepts any RFC 4291 §2.2 spelling, embedded IPv4 included; returns null for
 * anything else (zone ids included: they never appear in RDATA).
 */
export function canonicalIpv6(address: string): string | null {
  const groups = parseIpv6Groups(address, RDATA_IPV6);
  return groups === null ? null : formatIpv6Groups(groups);
}

/**
 * A canonical string for a record's data, used as its dedup key (docs/architecture.md §3):
 * addresses in canonical form, names case-folded, anything else as a stable
 * serialisation of the decoded object (sorted keys, bytes as hex).
 */
export function canonicalData(type: string, data: unknown): string {
  const upperType = type.toUpperCase();
  if (typeof data === 'string') {
    if (upperType === 'A') return canonicalIpv4(data) ?? stableSerialize(data);
    if (upperType === 'AAAA') return canonicalIpv6(data) ?? stableSerialize(data);
    if (NAME_DATA_TYPES.has(upperType)) return canonicalName(data);
  }
  if (upperType === 'TXT') return stableSerialize(txtStrings(data));
  return stableSerialize(foldNameFields(upperType, data));
}

/** The identity of one record in a pool: owner, type and canonical data. */
export function recordKey(name: string, type: string, data: unknown): string {
  return `${canonicalName(name)} ${type.toUpperCase()} ${canonicalData(type, data)}`;
}

/**
 * Serialises a decoded value with sorted object keys, bytes as `0x…` hex and
 * undefined members omitted (as JSON does), so equal data always gives the
 * same string whatever order the decoder produced the fields in.
 */
export function stableSerialize(value: unknown): string {
  return serialize(value, new WeakSet());
}

function serialize(value: unknown, seen: WeakSet<object>): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Uint8Array) return `0x${toHex(value)}`;
  if (value instanceof ArrayBuffer) return `0x${toHex(new Uint8Array(value))}`;
  if (typeof value !== 'object') return JSON.stringify(String(value));
  if (seen.has(value)) throw new TypeError('cannot serialise cyclic record data');
  seen.add(value);
  const text = Array.isArray(value)
    ? `[${value.map((item) => serialize(item, seen)).join(',')}]`
    : `{${Object.keys(value)
        .sort()
        .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
        .map(
          (key) =>
            `${JSON.stringify(key)}:${serialize((value as Record<string, unknown>)[key], seen)}`,
        )
        .join(',')}}`;
  seen.delete(value);
  return text;
}

/**
 * TXT data may be a string, bytes, or a list of either; on the wire each is a
 * character-string, so all spellings are reduced to a list of byte strings.
 */
function txtStrings(data: unknown): unknown {
  const parts = Array.isArray(data) ? data : [data];
  const encoder = new TextEncoder();
  return parts.map((part) => (typeof part === 'string' ? encoder.encode(part) : part));
}

function foldNameFields(type: string, data: unknown): unknown {
  const fields = NAME_FIELDS_BY_TYPE[type];
  if (fields === undefined || data === null || typeof data !== 'object' || Array.isArray(data)) {
    return data;
  }
  const folded: Record<string, unknown> = { ...(data as Record<string, unknown>) };
  for (const field of fields) {
    const value = folded[field];
    if (typeof value === 'string') folded[field] = canonicalName(value);
  }
  return folded;
}

function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

function formatIpv6Groups(groups: readonly number[]): string {
  if (isIpv4Mapped(groups)) {
    const high = groups[IPV4_MAPPED_PREFIX_GROUPS] ?? 0;
    const low = groups[IPV4_MAPPED_PREFIX_GROUPS + 1] ?? 0;
    return `::ffff:${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  }
  const run = longestZeroRun(groups);
  const hex = groups.map((group) => group.toString(16));
  if (run === null) return hex.join(':');
  const before = hex.slice(0, run.start).join(':');
  const after = hex.slice(run.start + run.length).join(':');
  return `${before}::${after}`;
}

function isIpv4Mapped(groups: readonly number[]): boolean {
  const prefixZeros = IPV4_MAPPED_PREFIX_GROUPS - 1;
  return (
    groups.slice(0, prefixZeros).every((group) => group === 0) &&
    groups[prefixZeros] === IPV6_GROUP_MAX
  );
}

/** RFC 5952 §4.2.3: the longest zero run wins, the first one on a tie. */
function longestZeroRun(groups: readonly number[]): { start: number; length: number } | null {
  let best: { start: number; length: number } | null = null;
  let start = -1;
  for (let index = 0; index <= groups.length; index++) {
    const isZero = index < groups.length && groups[index] === 0;
    if (isZero && start < 0) start = index;
    if (!isZero && start >= 0) {
      const length = index - start;
      if (length >= MIN_COMPRESSED_ZERO_RUN && (best === null || length > best.length)) {
        best = { start, length };
      }
      start = -1;
    }
  }
  return best;
}
