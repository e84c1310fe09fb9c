/**
 * How long a response may be reused, in seconds: the HTTP freshness lifetime
 * of RFC 8484 §5.1 and the cache TTL (docs/architecture.md §5). It reads the TTLs a message
 * carries and applies no rule of its own: upstream answers were bounded where
 * they entered (src/upstream/sanitize-answer.ts), our own answers are ours,
 * so the wire TTL, `max-age` and the cache lifetime are the same numbers.
 */
import { type DnsMessage, headerRcode } from '../dns/codec';
import { rcodeName } from '../dns/rcodes';
import { storedTtl } from '../dns/record-ttl';

/** RFC 9520 §3.2: a resolution failure is remembered briefly so a dead name is not hammered. */
export const FAILURE_TTL = 5;

/**
 * Seconds a response may be reused: the minimum TTL of its answer records
 * and, for a negative answer, of its SOA (which carries the negative TTL,
 * RFC 2308 §5); FAILURE_TTL for errors and for negative answers without an
 * SOA (RFC 2308 §5 gives them no lifetime).
 */
export function responseTtl(message: DnsMessage): number {
  const rcode = rcodeName(headerRcode(message));
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return FAILURE_TTL;
  const answerTtls = (message.answers ?? []).filter((r) => r.type !== 'OPT').map(storedTtl);
  const soa = (message.authorities ?? []).find((r) => r.type === 'SOA');
  const negative = rcode === 'NXDOMAIN' || !hasData(message);
  if (negative && soa) return Math.min(storedTtl(soa), ...answerTtls);
  if (negative && (rcode === 'NXDOMAIN' || answerTtls.length === 0)) return FAILURE_TTL;
  return Math.min(...answerTtls);
}

/** Answer data beyond a CNAME chain (a dangling chain without an SOA is positive). */
function hasData(message: DnsMessage): boolean {
  return (message.answers ?? []).some(
    (r) => r.type !== 'OPT' && r.type !== 'CNAME' && r.type !== 'DNAME',
  );
}
