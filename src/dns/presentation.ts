/**
 * Record data in DNS presentation format (the zone-file text form), used for
 * the JSON API's `data` field.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-5.1
 * @see https://www.rfc-editor.org/rfc/rfc3597#section-5 (unknown types)
 */
import { type DnsRecord, typeNumber } from './codec';

/** A name as a fully qualified presentation name: with its trailing dot. */
export function fqdn(name: string): string {
  return name === '.' || name.endsWith('.') ? name : `${name}.`;
}

/** A type name as presentation format spells it: TYPE65 for types dns-packet calls UNKNOWN_65. */
export function presentType(name: string): string {
  const unknown = /^UNKNOWN_(\d+)$/.exec(name);
  return unknown ? `TYPE${unknown[1]}` : name;
}

/** The RDATA of a record in presentation format. */
export function renderRecordData(record: DnsRecord): string {
  switch (record.type) {
    case 'A':
    case 'AAAA':
      return record.data;
    case 'CNAME':
    case 'DNAME':
    case 'NS':
    case 'PTR':
      return fqdn(record.data);
    case 'MX':
      return `${record.data.preference ?? 0} ${fqdn(record.data.exchange)}`;
    case 'TXT': {
      const strings = Array.isArray(record.data) ? record.data : [record.data];
      return strings
        .map((text) => quote(typeof text === 'string' ? utf8.encode(text) : text))
        .join(' ');
    }
    case 'SOA': {
      const soa = record.data;
      return [
        fqdn(soa.mname),
        fqdn(soa.rname),
        soa.serial ?? 0,
        soa.refresh ?? 0,
        soa.retry ?? 0,
        soa.expire ?? 0,
        soa.minimum ?? 0,
      ].join(' ');
    }
    case 'SRV': {
      const srv = record.data;
      return `${srv.priority ?? 0} ${srv.weight ?? 0} ${srv.port} ${fqdn(srv.target)}`;
    }
    case 'CAA': {
      const caa = record.data;
      return `${caa.flags ?? 0} ${caa.tag} ${quote(utf8.encode(caa.value))}`;
    }
    case 'HINFO':
      return `${quote(utf8.encode(record.data.cpu))} ${quote(utf8.encode(record.data.os))}`;
    case 'NAPTR': {
      const naptr = record.data;
      const strings = [naptr.flags, naptr.services, naptr.regexp].map((s) => quote(utf8.encode(s)));
      return `${naptr.order} ${naptr.preference} ${strings.join(' ')} ${fqdn(naptr.replacement)}`;
    }
    case 'RP':
      return `${fqdn(record.data.mbox)} ${fqdn(record.data.txt)}`;
    case 'DS': {
      const ds = record.data;
      return `${ds.keyTag} ${ds.algorithm} ${ds.digestType} ${hex(ds.digest)}`;
    }
    case 'DNSKEY': {
      const key = record.data;
      // RFC 4034 §2.1.2: the protocol field is always 3.
      return `${key.flags} 3 ${key.algorithm} ${base64(key.key)}`;
    }
    case 'RRSIG': {
      const sig = record.data;
      return [
        presentType(sig.typeCovered),
        sig.algorithm,
        sig.labels,
        sig.originalTTL,
        timestamp(sig.expiration),
        timestamp(sig.inception),
        sig.keyTag,
        fqdn(sig.signersName),
        base64(sig.signature),
      ].join(' ');
    }
    case 'NSEC':
      return [fqdn(record.data.nextDomain), ...record.data.rrtypes.map(presentType)].join(' ');
    case 'NSEC3': {
      const nsec3 = record.data;
      return [
        nsec3.algorithm,
        nsec3.flags,
        nsec3.iterations,
        // RFC 5155 §3.3: an empty salt is written as '-'.
        nsec3.salt.length === 0 ? '-' : hex(nsec3.salt),
        base32hex(nsec3.nextDomain),
        ...nsec3.rrtypes.map(presentType),
      ].join(' ');
    }
    case 'TLSA': {
      const tlsa = record.data;
      return `${tlsa.usage} ${tlsa.selector} ${tlsa.matchingType} ${hex(tlsa.certificate)}`;
    }
    case 'SSHFP':
      return `${record.data.algorithm} ${record.data.hash} ${record.data.fingerprint}`;
    case 'OPT':
      return '';
    default:
      return generic(record.data);
  }
}

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const BACKSLASH = 0x5c;
const QUOTE = 0x22;

/**
 * A character-string in double quotes (RFC 1035 §5.1): quote and backslash
 * escaped, control characters as \DDD. Valid UTF-8 stays readable text;
 * anything else is escaped byte by byte.
 */
function quote(bytes: Uint8Array): string {
  let text: string | null;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = null;
  }
  const units =
    text === null ? Array.from(bytes) : Array.from(text, (char) => char.codePointAt(0) ?? 0);
  let out = '';
  for (const code of units) {
    if (code === QUOTE || code === BACKSLASH) out += `\\${String.fromCharCode(code)}`;
    else if (code < 0x20 || code === 0x7f || (text === null && code >= 0x80))
      out += decimalEscape(code);
    else out += String.fromCodePoint(code);
  }
  return `"${out}"`;
}

function decimalEscape(byte: number): string {
  return `\\${byte.toString().padStart(3, '0')}`;
}

/** RFC 3597 §5: `\# <length> <hex>` for data of types without a known text form. */
function generic(data: unknown): string {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(0);
  return bytes.length === 0 ? '\\# 0' : `\\# ${bytes.length} ${hex(bytes)}`;
}

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0'))
    .join('')
    .toUpperCase();
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

const BASE32HEX = '0123456789ABCDEFGHIJKLMNOPQRSTUV';

/** RFC 4648 §7 base32hex without padding, as NSEC3 next hashed owner names are written (RFC 5155 §3.3). */
function base32hex(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(buffer >> (bits - 5)) & 0x1f];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32HEX[(buffer << (5 - bits)) & 0x1f];
  return out;
}

/** RFC 4034 §3.2: signature times as YYYYMMDDHHmmSS in UTC. */
function timestamp(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** The numeric type of a record, 0 if dns-packet's name cannot be mapped back. */
export function recordTypeNumber(type: string): number {
  return typeNumber(type) ?? 0;
}
