/**
 * Conversions between what resolution produces (an upstream message, a pool
 * snapshot) and what the cache stores, and back to a message whose TTLs
 * have been counted down by the entry's age (docs/architecture.md §5).
 */
import { type DnsMessage, type DnsRecord, FLAGS, headerRcode } from '../dns/codec';
import { rcodeName, rcodeNumber } from '../dns/rcodes';
import { storedTtl } from '../dns/record-ttl';
import { recordKey } from '../pool/canonical-data';
import type { PoolSnapshot } from '../pool/domain-pool';
import { responseTtl } from '../resolver/response-ttl';
import type { CachedAnswer } from './answer-cache';

type RecordList = NonNullable<DnsMessage['answers']>;

/** Pools hold class IN only (see isPooled in src/pool/pool-gateway.ts). */
const POOLED_CLASS = 'IN';

/**
 * A sanitized upstream answer (src/upstream/sanitize-answer.ts) as a cache
 * entry: its answer records and, for a negative answer, the SOA (already at
 * the negative TTL, so it counts down from there, RFC 2308 §5) with its
 * DNSSEC proofs. Returns null for answers that must not be cached (TC=1,
 * errors). TTLs were bounded at the boundary; nothing is capped here.
 */
export function entryFromResponse(message: DnsMessage, now: number): CachedAnswer | null {
  const flags = message.flags ?? 0;
  if (flags & FLAGS.TRUNCATED_RESPONSE) return null;
  const rcode = rcodeName(headerRcode(message));
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return null;
  const notOpt = (r: DnsRecord) => r.type !== 'OPT';
  return {
    rcode,
    authenticData: (flags & FLAGS.AUTHENTIC_DATA) !== 0,
    answers: (message.answers ?? []).filter(notOpt),
    authorities: (message.authorities ?? []).filter(notOpt),
    storedAt: now,
    ttl: responseTtl(message),
  };
}

/**
 * The pool as a cache entry: records in the pool's served order (that order
 * is the point of the pool), and its negative answer, which a NODATA after a
 * CNAME chain has beside the chain's records (RFC 2308 §2.2): the SOA is
 * kept and the entry lives no longer than the negative TTL. Null when the
 * pool has nothing live to serve.
 */
export function entryFromSnapshot(
  snapshot: PoolSnapshot,
  now: number,
  version: string,
): CachedAnswer | null {
  const { records, negative } = snapshot;
  if (records.length === 0 && negative === null) return null;
  const answers = records.map(
    (r) =>
      ({ name: r.name, type: r.type, class: POOLED_CLASS, ttl: r.ttl, data: r.data }) as DnsRecord,
  );
  const ttls = records.map((r) => r.ttl);
  if (negative !== null) ttls.push(negative.ttl);
  return {
    rcode: negative?.rcode ?? 'NOERROR',
    authenticData: false,
    answers,
    authorities: negative === null ? [] : [{ ...negative.soa, ttl: negative.ttl } as DnsRecord],
    storedAt: now,
    ttl: Math.min(...ttls),
    version,
  };
}

/**
 * The entry as a message, each TTL reduced by the entry's age in whole
 * seconds (never below 0), or set to `ttlOverride` (stale answers, RFC 8767).
 */
export function messageFromEntry(
  entry: CachedAnswer,
  now: number,
  ttlOverride?: number,
): DnsMessage {
  const ageS = Math.max(0, Math.floor((now - entry.storedAt) / 1000));
  const age = (records: RecordList): RecordList =>
    records.map(
      (r) => ({ ...r, ttl: ttlOverride ?? Math.max(0, storedTtl(r) - ageS) }) as DnsRecord,
    );
  const rcode = rcodeNumber(entry.rcode) ?? 0;
  return {
    id: 0,
    type: 'response',
    flags: rcode | FLAGS.RECURSION_AVAILABLE | (entry.authenticData ? FLAGS.AUTHENTIC_DATA : 0),
    questions: [],
    answers: age(entry.answers),
    authorities: age(entry.authorities),
    additionals: [],
  };
}

/** Seconds of freshness left. */
export function remainingTtl(entry: CachedAnswer, now: number): number {
  return Math.max(0, entry.ttl - Math.floor((now - entry.storedAt) / 1000));
}

/**
 * Reorders `records` so that those already in `previous` keep the previous
 * relative order and new ones follow in their own order: a client that
 * already uses the first address keeps getting it first (docs/architecture.md §4).
 */
export function orderLike(previous: RecordList, records: RecordList): RecordList {
  const keyOf = (r: DnsRecord) => recordKey(r.name, r.type, 'data' in r ? r.data : null);
  const rank = new Map(previous.map((r, i) => [keyOf(r), i]));
  const known = records.filter((r) => rank.has(keyOf(r)));
  known.sort((a, b) => (rank.get(keyOf(a)) ?? 0) - (rank.get(keyOf(b)) ?? 0));
  return [...known, ...records.filter((r) => !rank.has(keyOf(r)))];
}
