/**
 * Conversions between what resolution produces (an upstream message, a pool
 * snapshot) and what the cache stores, and back to a message whose TTLs
 * have been counted down by the entry's age (SPEC §5).
 */
import { type DnsMessage, type DnsRecord, FLAGS, headerRcode } from '../dns/codec';
import { rcodeName, rcodeNumber } from '../dns/rcodes';
import { recordKey } from '../pool/canonical-data';
import type { PoolSnapshot } from '../pool/domain-pool';
import {
  MAX_NEGATIVE_TTL,
  MAX_POSITIVE_TTL,
  negativeAnswer,
  responseTtl,
} from '../resolver/response-ttl';
import type { CachedAnswer } from './answer-cache';

type RecordList = NonNullable<DnsMessage['answers']>;

/** TTL of a record, 0 for the OPT pseudo-record that has none. */
function ttlOf(record: DnsRecord): number {
  return 'ttl' in record ? (record.ttl ?? 0) : 0;
}

/**
 * An upstream answer as a cache entry: answer records (never OPT, SPEC §5) and
 * the SOA of a negative answer. Returns null for answers that must not be
 * cached (TC=1, errors).
 */
export function entryFromResponse(message: DnsMessage, now: number): CachedAnswer | null {
  const flags = message.flags ?? 0;
  if (flags & FLAGS.TRUNCATED_RESPONSE) return null;
  const rcode = rcodeName(headerRcode(message));
  if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') return null;
  const answers = (message.answers ?? []).filter((r) => r.type !== 'OPT');
  const ttl = responseTtl(message);
  // RFC 2308 §5: the SOA of a cached negative answer carries the negative TTL,
  // min(SOA TTL, MINIMUM), and counts down from it; counting down from the SOA's
  // own (larger) TTL would pin the served lifetime at MINIMUM until expiry.
  const negative = negativeAnswer(message);
  const authorities = negative ? [{ ...negative.soa, ttl: negative.ttl } as DnsRecord] : [];
  return {
    rcode,
    authenticData: (flags & FLAGS.AUTHENTIC_DATA) !== 0,
    answers,
    authorities,
    storedAt: now,
    ttl,
  };
}

/**
 * The pool as a cache entry: records in the pool's served order (that order
 * is the point of the pool), or its negative answer. Null when the pool has
 * nothing live to serve.
 */
export function entryFromSnapshot(
  snapshot: PoolSnapshot,
  now: number,
  version: string,
): CachedAnswer | null {
  if (snapshot.records.length > 0) {
    const answers = snapshot.records.map(
      (r) => ({ name: r.name, type: r.type, class: 'IN', ttl: r.ttl, data: r.data }) as DnsRecord,
    );
    return {
      rcode: 'NOERROR',
      authenticData: false,
      answers,
      authorities: [],
      storedAt: now,
      ttl: Math.min(MAX_POSITIVE_TTL, ...snapshot.records.map((r) => r.ttl)),
      version,
    };
  }
  if (snapshot.negative) {
    const soa = { ...snapshot.negative.soa, ttl: snapshot.negative.ttl } as DnsRecord;
    return {
      rcode: snapshot.negative.rcode,
      authenticData: false,
      answers: [],
      authorities: [soa],
      storedAt: now,
      ttl: Math.min(MAX_NEGATIVE_TTL, snapshot.negative.ttl),
      version,
    };
  }
  return null;
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
    records.map((r) => ({ ...r, ttl: ttlOverride ?? Math.max(0, ttlOf(r) - ageS) }) as DnsRecord);
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
 * already uses the first address keeps getting it first (SPEC §4).
 */
export function orderLike(previous: RecordList, records: RecordList): RecordList {
  const keyOf = (r: DnsRecord) => recordKey(r.name, r.type, 'data' in r ? r.data : null);
  const rank = new Map(previous.map((r, i) => [keyOf(r), i]));
  const known = records.filter((r) => rank.has(keyOf(r)));
  known.sort((a, b) => (rank.get(keyOf(a)) ?? 0) - (rank.get(keyOf(b)) ?? 0));
  return [...known, ...records.filter((r) => !rank.has(keyOf(r)))];
}
