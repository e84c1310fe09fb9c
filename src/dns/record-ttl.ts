/**
 * The TTL rules, applied once where an upstream answer enters
 * (src/upstream/sanitize-answer.ts): after that every TTL in the system is
 * already bounded, so the wire TTL, `cache-control: max-age` and the cache
 * lifetime are all read from the same numbers and can never disagree (docs/architecture.md §5).
 */
import type { DnsRecord } from './codec';

/** docs/architecture.md §5, RFC 8767 §4: positive answers are never trusted for more than a day. */
export const MAX_POSITIVE_TTL = 86_400;
/** docs/architecture.md §5: negative answers for at most an hour (RFC 2308 §5 allows more; we are stricter). */
export const MAX_NEGATIVE_TTL = 3_600;
/** RFC 2181 §8: TTLs are 31-bit; a value with the top bit set is treated as zero. */
const MAX_WIRE_TTL = 0x7fff_ffff;

/** The one place a raw TTL becomes a usable one: whole seconds, top bit -> 0, capped. */
function bound(ttl: number | undefined, cap: number): number {
  if (ttl === undefined || !Number.isFinite(ttl) || ttl < 0 || ttl > MAX_WIRE_TTL) return 0;
  return Math.min(Math.floor(ttl), cap);
}

/** A record's TTL under RFC 2181 §8 and the positive cap; the OPT pseudo-record has none (0). */
export function ttlOf(record: DnsRecord): number {
  return bound('ttl' in record ? record.ttl : undefined, MAX_POSITIVE_TTL);
}

/**
 * The negative TTL an SOA gives its negative answer: min(SOA TTL, SOA
 * MINIMUM) (RFC 2308 §5), each bounded like any TTL, under the negative cap.
 * A missing MINIMUM counts as 0, so a guess never raises the TTL.
 */
export function negativeTtlOf(soa: Extract<DnsRecord, { type: 'SOA' }>): number {
  return Math.min(bound(soa.ttl, MAX_NEGATIVE_TTL), bound(soa.data.minimum, MAX_NEGATIVE_TTL));
}

/** The TTL a record carries after the boundary (already bounded); 0 for OPT. */
export function storedTtl(record: DnsRecord): number {
  return 'ttl' in record ? (record.ttl ?? 0) : 0;
}
