/**
 * How long a response may be reused, in seconds: the HTTP freshness lifetime
 * of RFC 8484 §5.1 and the cache TTL (SPEC §5).
 */
import { type DnsMessage, type DnsRecord, headerRcode } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';

/** RFC 8767 §4 / SPEC §5: positive answers are never trusted for more than a day. */
export const MAX_POSITIVE_TTL = 86_400;
/** RFC 2308 §5 / SPEC §5: negative answers for at most an hour. */
export const MAX_NEGATIVE_TTL = 3_600;
/** RFC 9520 §3.2: a resolution failure is remembered briefly so a dead name is not hammered. */
export const FAILURE_TTL = 5;

/** TTL of a record; the OPT pseudo-record has none. */
function ttlOf(record: DnsRecord): number {
  return 'ttl' in record ? (record.ttl ?? 0) : 0;
}

/**
 * The SOA that makes a response a negative answer (RFC 2308 §2), with the
 * negative TTL min(SOA TTL, SOA MINIMUM) (§5): NXDOMAIN, or NOERROR whose
 * answer section holds only a CNAME chain and whose authority holds an SOA
 * (NODATA at the end of the chain). Null for positive answers.
 */
export function negativeAnswer(message: DnsMessage): { soa: DnsRecord; ttl: number } | null {
  const rcode = rcodeName(headerRcode(message));
  const answers = (message.answers ?? []).filter((r) => r.type !== 'OPT');
  const onlyChain = answers.every((r) => r.type === 'CNAME' || r.type === 'DNAME');
  if (rcode !== 'NXDOMAIN' && !(rcode === 'NOERROR' && onlyChain)) return null;
  const soa = (message.authorities ?? []).find((r) => r.type === 'SOA');
  if (soa?.type !== 'SOA') return null;
  return { soa, ttl: Math.min(MAX_NEGATIVE_TTL, soa.ttl ?? 0, soa.data.minimum ?? 0) };
}

/**
 * Seconds a response may be reused: the minimum TTL of its answer records
 * and, for a negative answer, its negative TTL; FAILURE_TTL for errors and
 * for negative answers without an SOA (RFC 2308 §5 gives them no lifetime).
 */
export function responseTtl(message: DnsMessage): number {
  const rcode = rcodeName(headerRcode(message));
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return FAILURE_TTL;
  const answerTtls = (message.answers ?? []).filter((r) => r.type !== 'OPT').map(ttlOf);
  const negative = negativeAnswer(message);
  if (negative) return Math.min(negative.ttl, ...answerTtls);
  if (rcode === 'NXDOMAIN' || answerTtls.length === 0) return FAILURE_TTL;
  return Math.min(MAX_POSITIVE_TTL, ...answerTtls);
}
