/**
 * How long a response may be reused, in seconds: the HTTP freshness lifetime
 * of RFC 8484 §5.1 and the cache TTL (SPEC §5).
 */
import { type DnsMessage, headerRcode } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';

/** RFC 8767 §4 / SPEC §5: positive answers are never trusted for more than a day. */
export const MAX_POSITIVE_TTL = 86_400;
/** RFC 2308 §5 / SPEC §5: negative answers for at most an hour. */
export const MAX_NEGATIVE_TTL = 3_600;
/** RFC 9520 §3.2: a resolution failure is remembered briefly so a dead name is not hammered. */
export const FAILURE_TTL = 5;

/**
 * Minimum TTL of the answer section; for a negative answer (NXDOMAIN or
 * NODATA) min(SOA TTL, SOA MINIMUM) per RFC 2308 §5; FAILURE_TTL for errors.
 */
export function responseTtl(message: DnsMessage): number {
  const rcode = rcodeName(headerRcode(message));
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return FAILURE_TTL;
  const answers = (message.answers ?? []).filter((r) => r.type !== 'OPT');
  if (rcode === 'NOERROR' && answers.length > 0) {
    return Math.min(MAX_POSITIVE_TTL, ...answers.map((r) => ('ttl' in r ? (r.ttl ?? 0) : 0)));
  }
  const soa = (message.authorities ?? []).find((r) => r.type === 'SOA');
  if (soa?.type !== 'SOA') return FAILURE_TTL;
  return Math.min(MAX_NEGATIVE_TTL, soa.ttl ?? 0, soa.data.minimum ?? 0);
}
