/**
 * The full RCODE of a response: 4 header bits plus, with EDNS, 8 more bits in
 * the OPT record (RFC 6891 §6.1.3). Reading only the header would take a
 * BADVERS (16) answer for NOERROR.
 */
import { type DnsMessage, headerRcode } from '../dns/codec';

/** RCODEs the usability rules name (RFC 1035 §4.1.1). */
export const NOERROR = 0;
export const NXDOMAIN = 3;

/** The header holds the low 4 bits; OPT's EXTENDED-RCODE the upper 8 (RFC 6891 §6.1.3). */
const HEADER_RCODE_BITS = 4;

export function responseCode(message: DnsMessage): number {
  const opt = message.additionals?.find((rr) => rr.type === 'OPT');
  const extended = opt?.type === 'OPT' ? opt.extendedRcode : 0;
  return (extended << HEADER_RCODE_BITS) | headerRcode(message);
}
