/**
 * The full RCODE of a response: 4 header bits plus, with EDNS, 8 more bits in
 * the OPT record (RFC 6891 §6.1.3). Reading only the header would take a
 * BADVERS (16) answer for NOERROR.
 */
import type { DnsMessage } from '../dns/codec';

/** RCODEs the usability rules name (RFC 1035 §4.1.1). */
export const NOERROR = 0;
export const NXDOMAIN = 3;

const HEADER_RCODE_MASK = 0x000f;
const HEADER_RCODE_BITS = 4;

/** Names for failure messages and metrics; the IANA registry has more, these are the ones seen in practice. */
const RCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0, 'NOERROR'],
  [1, 'FORMERR'],
  [2, 'SERVFAIL'],
  [3, 'NXDOMAIN'],
  [4, 'NOTIMP'],
  [5, 'REFUSED'],
  [6, 'YXDOMAIN'],
  [7, 'YXRRSET'],
  [8, 'NXRRSET'],
  [9, 'NOTAUTH'],
  [10, 'NOTZONE'],
  [16, 'BADVERS'],
  [23, 'BADCOOKIE'],
]);

export function responseCode(message: DnsMessage): number {
  const header = (message.flags ?? 0) & HEADER_RCODE_MASK;
  const opt = message.additionals?.find((rr) => rr.type === 'OPT');
  const extended = opt?.type === 'OPT' ? opt.extendedRcode : 0;
  return (extended << HEADER_RCODE_BITS) | header;
}

/** `SERVFAIL`, …; unnamed codes as `RCODE_n`, the way dns-packet spells them. */
export function rcodeName(code: number): string {
  return RCODE_NAMES.get(code) ?? `RCODE_${code}`;
}
