/**
 * The update rule of a domain's pool (docs/architecture.md §4), written as a pure function so
 * the Durable Object can run it inside one synchronous SQL turn and tests can
 * replay any interleaving of writes exactly.
 *
 * - Lower version: rejected, counted, the caller learns the current version.
 * - Equal version (the same query writing again): merged in.
 * - Higher version: accepted; previous records still within their own TTL
 *   stay (union within TTL), expired ones drop out.
 * - Order is stable: records already in the pool keep their relative order,
 *   new ones are appended in merge order.
 * - Each RRset holds at most MAX_POOL_RECORDS_PER_RRSET records: the oldest
 *   live ones stay, new ones are appended only while there is room.
 */
import type { DnsRecord } from '../dns/codec';
import type { MergedAnswer, PoolRecord } from './merge-answers';
import { compareVersions, type QueryVersion } from './query-version';
import { NO_SWEEP_LEASE, type SweepLease } from './sweep-lease';

/**
 * Records per RRset (owner name + type) a pool holds. Real load-balanced
 * names answer with 1 to 8 addresses, rarely a few dozen; 64 keeps all of
 * them while an upstream that rotates addresses (or returns thousands)
 * cannot grow a pool towards the 2 MB value limit of Durable Object storage:
 * an entry is about 0.3 to 1 KB as stored JSON (more with many sources), so
 * 64 A records stay under 64 KB.
 */
export const MAX_POOL_RECORDS_PER_RRSET = 64;

/** One record in the pool with the absolute time it stops being servable. */
export interface PoolEntry {
  key: string;
  name: string;
  type: string;
  data: unknown;
  /** Seconds the expiry was computed from (bounded where the answer entered, docs/architecture.md §5). */
  ttl: number;
  /** Epoch ms; the record is served only while `now < expiresAt`. */
  expiresAt: number;
  /** Upstreams that returned it, first contributor first. */
  sources: string[];
}

/** A negative answer held by the pool (RFC 2308). */
export interface PoolNegative {
  rcode: string;
  soa: DnsRecord;
  /** Seconds the expiry was computed from (bounded where the answer entered, docs/architecture.md §5). */
  ttl: number;
  expiresAt: number;
}

export interface PoolState {
  version: QueryVersion;
  /** The CNAME chain the records belong to, question name first (canonical form). */
  chain: string[];
  /** Served order. */
  records: PoolEntry[];
  /** Set only while no answer data is held: positive records win over a negative answer. */
  negative: PoolNegative | null;
  rejectedWrites: number;
  /** New records left out because their RRset was full (MAX_POOL_RECORDS_PER_RRSET), all writes. */
  droppedRecords: number;
  /** Who may sweep next (sweep-lease.ts); carried unchanged here, the object updates it. */
  lease: SweepLease;
  /** Epoch ms of the last accepted or merged write. */
  updatedAt: number;
}

export interface PoolWrite {
  version: QueryVersion;
  /**
   * Epoch ms at which the merged answers were received (the earliest
   * contributor's, so that receive time + TTL never outlives what an
   * upstream said).
   */
  receivedAt: number;
  chain: string[];
  records: PoolRecord[];
  negative: { rcode: string; soa: DnsRecord; ttl: number } | null;
  /** True when the write carries a completed background sweep: every upstream of the plan was asked. */
  swept: boolean;
}

export type WriteStatus = 'accepted' | 'merged' | 'rejected';

/** `stale-version`: an older query. `chain-differs`: the same query reporting another CNAME chain. */
export type RejectReason = 'stale-version' | 'chain-differs';

export interface WriteOutcome {
  status: WriteStatus;
  reason?: RejectReason;
  /** The new state; on reject the old one with `rejectedWrites` + 1. */
  state: PoolState;
  /** The version now stored, for the writer's clock to observe. */
  currentVersion: QueryVersion;
}

/** A record as served: its remaining TTL in whole seconds. */
export type ServedRecord = PoolRecord;

const MS_PER_SECOND = 1_000;

/**
 * Applies one write to a pool (docs/architecture.md §4). Never mutates `current`.
 *
 * Choices where docs/architecture.md §4 leaves room:
 * - Expiry of a record is receive time + its TTL, receive time capped at `now`
 *   so clock skew between isolate and object can never extend it.
 * - Equal version: a record already present keeps its position and takes the
 *   earlier expiry, because both writes come from one query and docs/architecture.md §3 says
 *   the merged TTL is the minimum seen, never raised.
 * - Higher version: a record present in both takes the new write's expiry,
 *   even when that is earlier: it is the newer statement of the TTL.
 * - An expired record that comes back is new again and is appended.
 * - A higher version with another CNAME chain keeps none of the old records:
 *   a union would put two CNAMEs on one owner (docs/architecture.md §3). An equal version
 *   with another chain is rejected (`chain-differs`) for the same reason.
 * - Negative answers: kept only while the pool holds no answer data, matching
 *   mergeAnswers, where positive answers win.
 * - The RRset cap counts live records only, so an expired record frees its
 *   place before a new one is appended.
 */
export function applyPoolWrite(
  current: PoolState | null,
  write: PoolWrite,
  now: number,
): WriteOutcome {
  if (current !== null) {
    const order = compareVersions(write.version, current.version);
    if (order < 0) return reject(current, 'stale-version');
    if (order === 0) {
      if (!sameChain(current.chain, write.chain)) return reject(current, 'chain-differs');
      return mergeEqualVersion(current, write, now);
    }
  }
  const survivors =
    current !== null && sameChain(current.chain, write.chain) ? live(current.records, now) : [];
  const { kept: records, dropped } = capRecordsPerRrset(
    live(union(survivors, toEntries(write, now), newerExpiry), now),
  );
  const state: PoolState = {
    version: write.version,
    chain: [...write.chain],
    records,
    negative: holdsAnswerData(records, write.chain) ? null : toNegative(write, now),
    rejectedWrites: current?.rejectedWrites ?? 0,
    droppedRecords: (current?.droppedRecords ?? 0) + dropped,
    lease: current?.lease ?? NO_SWEEP_LEASE,
    updatedAt: now,
  };
  return { status: 'accepted', state, currentVersion: state.version };
}

/**
 * The pool as the cache serves it: unexpired records in served order, each
 * with its remaining TTL in whole seconds (rounded down, never negative).
 * TTLs are per record; a responder that wants one TTL per RRset (RFC 2181
 * §5.2) takes their minimum.
 */
export function servedRecords(state: PoolState | null, now: number): ServedRecord[] {
  if (state === null) return [];
  return live(state.records, now).map((entry) => ({
    name: entry.name,
    type: entry.type,
    ttl: remainingSeconds(entry.expiresAt, now),
    data: entry.data,
    key: entry.key,
    sources: [...entry.sources],
  }));
}

/** The pool's negative answer with its remaining TTL, or null when there is none to serve. */
export function servedNegative(
  state: PoolState | null,
  now: number,
): { rcode: string; soa: DnsRecord; ttl: number } | null {
  const negative = state?.negative ?? null;
  if (negative === null || negative.expiresAt <= now) return null;
  return {
    rcode: negative.rcode,
    soa: negative.soa,
    ttl: remainingSeconds(negative.expiresAt, now),
  };
}

/**
 * Keeps the first MAX_POOL_RECORDS_PER_RRSET records of each RRset (owner
 * name + type) in the order given, which puts records already in the pool
 * first: the addresses clients already use survive, newcomers wait for room.
 */
export function capRecordsPerRrset(records: readonly PoolEntry[]): {
  kept: PoolEntry[];
  dropped: number;
} {
  const counts = new Map<string, number>();
  const kept: PoolEntry[] = [];
  for (const entry of records) {
    // A space cannot occur in a canonical owner name or a type mnemonic.
    const rrset = `${entry.name} ${entry.type}`;
    const count = counts.get(rrset) ?? 0;
    if (count >= MAX_POOL_RECORDS_PER_RRSET) continue;
    counts.set(rrset, count + 1);
    kept.push(entry);
  }
  return { kept, dropped: records.length - kept.length };
}

/**
 * Builds the write for a merged answer; null when no upstream answer was
 * usable. `swept`: every upstream of the plan was asked (PoolWrite.swept).
 */
export function toPoolWrite(
  merged: MergedAnswer,
  version: QueryVersion,
  receivedAt: number,
  swept: boolean,
): PoolWrite | null {
  if (merged.contributors.length === 0) return null;
  return {
    version,
    receivedAt,
    swept,
    chain: [...merged.chain],
    records: merged.records,
    negative:
      merged.negative === null
        ? null
        : { rcode: merged.rcode, soa: merged.negative.soa, ttl: merged.negative.ttl },
  };
}

function mergeEqualVersion(current: PoolState, write: PoolWrite, now: number): WriteOutcome {
  const { kept: records, dropped } = capRecordsPerRrset(
    live(union(live(current.records, now), toEntries(write, now), earlierExpiry), now),
  );
  const state: PoolState = {
    ...current,
    records,
    droppedRecords: current.droppedRecords + dropped,
    negative: holdsAnswerData(records, current.chain)
      ? null
      : earlierNegative(liveNegative(current.negative, now), toNegative(write, now)),
    updatedAt: now,
  };
  return { status: 'merged', state, currentVersion: state.version };
}

function reject(current: PoolState, reason: RejectReason): WriteOutcome {
  return {
    status: 'rejected',
    reason,
    state: { ...current, rejectedWrites: current.rejectedWrites + 1 },
    currentVersion: current.version,
  };
}

/**
 * Existing entries keep their positions; entries not yet present are
 * appended in the order given. Sources are unioned, first contributor first.
 */
function union(
  existing: readonly PoolEntry[],
  incoming: readonly PoolEntry[],
  pickExpiry: (existing: PoolEntry, incoming: PoolEntry) => PoolEntry,
): PoolEntry[] {
  const result = existing.map((entry) => ({ ...entry, sources: [...entry.sources] }));
  const indexByKey = new Map(result.map((entry, index) => [entry.key, index]));
  for (const entry of incoming) {
    const index = indexByKey.get(entry.key);
    const present = index === undefined ? undefined : result[index];
    if (index === undefined || present === undefined) {
      indexByKey.set(entry.key, result.length);
      result.push({ ...entry, sources: [...entry.sources] });
      continue;
    }
    const { ttl, expiresAt } = pickExpiry(present, entry);
    const sources = [...present.sources];
    for (const source of entry.sources) if (!sources.includes(source)) sources.push(source);
    result[index] = { ...present, ttl, expiresAt, sources };
  }
  return result;
}

function newerExpiry(_existing: PoolEntry, incoming: PoolEntry): PoolEntry {
  return incoming;
}

function earlierExpiry(existing: PoolEntry, incoming: PoolEntry): PoolEntry {
  return incoming.expiresAt < existing.expiresAt ? incoming : existing;
}

function toEntries(write: PoolWrite, now: number): PoolEntry[] {
  const base = receiveTime(write, now);
  return write.records.map((record) => {
    // Bounded where the answer entered (src/upstream/sanitize-answer.ts, docs/architecture.md §5).
    const { ttl } = record;
    return {
      key: record.key,
      name: record.name,
      type: record.type,
      data: record.data,
      ttl,
      expiresAt: base + ttl * MS_PER_SECOND,
      sources: [...record.sources],
    };
  });
}

function toNegative(write: PoolWrite, now: number): PoolNegative | null {
  if (write.negative === null) return null;
  const { ttl } = write.negative;
  const expiresAt = receiveTime(write, now) + ttl * MS_PER_SECOND;
  if (expiresAt <= now) return null;
  return { rcode: write.negative.rcode, soa: write.negative.soa, ttl, expiresAt };
}

function earlierNegative(a: PoolNegative | null, b: PoolNegative | null): PoolNegative | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.expiresAt < a.expiresAt ? b : a;
}

function liveNegative(negative: PoolNegative | null, now: number): PoolNegative | null {
  return negative !== null && negative.expiresAt > now ? negative : null;
}

/** Answer data: anything at the final owner other than signatures. */
function holdsAnswerData(records: readonly PoolEntry[], chain: readonly string[]): boolean {
  const finalOwner = chain[chain.length - 1];
  return records.some((entry) => entry.name === finalOwner && entry.type !== 'RRSIG');
}

function live(records: readonly PoolEntry[], now: number): PoolEntry[] {
  return records.filter((entry) => entry.expiresAt > now);
}

/** Receive time, never later than the object's own clock: skew must not extend a TTL. */
function receiveTime(write: PoolWrite, now: number): number {
  return Math.min(write.receivedAt, now);
}

function remainingSeconds(expiresAt: number, now: number): number {
  return Math.max(0, Math.floor((expiresAt - now) / MS_PER_SECOND));
}

function sameChain(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((name, index) => name === b[index]);
}
