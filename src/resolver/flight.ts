/**
 * One fan-out for one cache key, from the first upstream request to the
 * refilled cache: the answer the waiting clients get, and the background
 * work (health, merge, pool write, cache refill) that runs after it.
 */
import { type AnswerCache, type CachedAnswer, classifyEntry } from '../cache/answer-cache';
import { entryFromResponse, entryFromSnapshot, orderLike } from '../cache/cached-answer';
import type { DnsMessage } from '../dns/codec';
import type { DnsQuery } from '../dns/dns-query';
import { EDE, type ExtendedError } from '../dns/extended-errors';
import type { FanoutTrigger, Lookup, WriteOutcome } from '../observability/lookup';
import type { PoolOpening } from '../pool/domain-pool';
import { mergeAnswers } from '../pool/merge-answers';
import { isPooled, type PoolGateway } from '../pool/pool-gateway';
import { toPoolWrite } from '../pool/pool-update';
import { formatVersion, type QueryVersion, type VersionClock } from '../pool/query-version';
import { type Clock, settleWithin } from '../upstream/clock';
import type { ScopedHealthShare } from '../upstream/colo-health-share';
import {
  CACHE_PUT_BUDGET_MS,
  POOL_OPEN_BUDGET_MS,
  POOL_WRITE_BUDGET_MS,
} from '../upstream/fanout-settings';
import {
  type FanoutReport,
  type FanoutSettings,
  startFanout,
  type UpstreamAttempt,
} from '../upstream/scheduler';
import type { Exchange, Upstream, UpstreamFailure } from '../upstream/types';
import type { ScopedHealth } from '../upstream/upstream-health';

/** Where a flight's answer came from: the winning upstream, or the domain's pool read beside it. */
export type AnswerSource = 'upstream' | 'pool';

export interface FlightAnswer {
  /**
   * The winner's sanitized answer as an entry, or null when every upstream
   * failed. Each client of the flight (the first and any that join it before
   * the pool write lands) gets it with TTLs counted down to its own moment.
   */
  readonly entry: CachedAnswer | null;
  readonly extendedErrors: readonly ExtendedError[];
  readonly winner: { readonly name: string; readonly durationMs: number } | null;
  /** Absent: upstream (or no answer). */
  readonly source?: AnswerSource;
}

export interface FlightDeps {
  readonly tenant: string;
  readonly upstreams: readonly Upstream[];
  readonly fanout: FanoutSettings;
  readonly exchange: Exchange;
  /** The tenant's upstream health: keyed by tenant, never by the pool's (subnet) scope. */
  readonly health: ScopedHealth;
  /** The tenant's health shared with the colo (docs/architecture.md §2); absent: not shared. */
  readonly healthShare?: ScopedHealthShare;
  readonly clock: Clock;
  readonly cache: AnswerCache;
  readonly pools: PoolGateway | null;
  /**
   * Whether the pool's sweep lease decides who runs the background tier
   * (SWEEP_LEASE, docs/architecture.md §4); off: every flight sweeps.
   */
  readonly sweepLease?: boolean;
  readonly versions: VersionClock;
  /** Per-isolate metrics and traces (docs/operations.md §5); absent: not recorded. */
  readonly observe?: (lookup: Lookup) => void;
}

export interface Flight {
  /** Never rejects. */
  readonly answer: Promise<FlightAnswer>;
  /** Never rejects; for `ctx.waitUntil`. */
  readonly background: Promise<void>;
  /**
   * What the fan-out, merge and pool write came to, once the background is
   * done; null if the background failed. Never rejects. The query that
   * started the flight logs and counts it (observability/query-record.ts).
   */
  readonly lookup: Promise<Lookup | null>;
  /** The pool read beside the active tier (settles when it answered or gave up); null: none. */
  readonly poolRead: Promise<unknown> | null;
}

export function startFlight(
  deps: FlightDeps,
  query: DnsQuery,
  key: string,
  trigger: FanoutTrigger,
): Flight {
  // The version is taken when the query starts (docs/architecture.md §4): it orders this
  // query's eventual pool write against every other query's.
  const version = deps.versions.next();
  const pooled = deps.pools !== null && isPooled(query);
  // docs/architecture.md §4: the pool is asked beside the active tier, never before it.
  const opening = pooled && deps.pools ? openPool(deps, deps.pools, query) : null;
  const sweep = opening && deps.sweepLease !== false ? opening.then(sweepDecision) : null;
  const fanout = startFanout({
    upstreams: deps.health.plan(deps.upstreams),
    query: query.upstreamQuery,
    exchange: deps.exchange,
    settings: deps.fanout,
    clock: deps.clock,
    ...(sweep ? { sweep: sweep.then((decision) => decision !== 'skipped') } : {}),
  });

  let winnerEntry: CachedAnswer | null = null;
  const fromUpstreams = fanout.firstUsable
    .then(async (winner): Promise<FlightAnswer> => {
      if (winner?.result.ok) {
        winnerEntry = rememberWinner(
          deps.cache,
          key,
          winner.result.response,
          deps.clock.now(),
          pooled,
        );
        return {
          entry: winnerEntry,
          extendedErrors: [],
          winner: { name: winner.upstream.name, durationMs: winner.endedAt - winner.startedAt },
        };
      }
      const report = await fanout.settled;
      return { entry: null, extendedErrors: [failureError(report.attempts)], winner: null };
    })
    .catch((error: unknown) => ({
      entry: null,
      extendedErrors: [{ code: EDE.OtherError, text: `internal error: ${String(error)}` }],
      winner: null,
    }));
  // Never rejects: a pool answer that cannot be used is no answer, never a hung client.
  const fromPool = opening
    ? opening.then((opened) => poolAnswer(deps, opened)).catch(() => null)
    : null;
  const answer = firstServable(fromUpstreams, fromPool);
  // A fresh pool is the complete answer: it fills this colo's caches whoever
  // won, so the colo's next client gets the whole pool in pool order.
  const poolFill = fromPool
    ? fromPool.then((pool) =>
        pool?.entry ? storeInColo(deps, key, pool.entry, query.name) : undefined,
      )
    : Promise.resolve();

  const lookup = fanout.settled
    .then(async (report) => {
      // The answer is settled before the fan-out is (firstUsable resolves first),
      // and the pool's fill lands before this flight's own write can refill.
      await answer;
      await poolFill;
      const target = pooled ? 'pool' : winnerEntry;
      const decision = sweep ? await sweep : 'off';
      return finish(deps, query, key, trigger, version, report, target, decision);
    })
    .catch((error: unknown) => {
      console.error(
        JSON.stringify({ event: 'background-error', name: query.name, error: String(error) }),
      );
      return null;
    });

  return { answer, background: lookup.then(() => undefined), lookup, poolRead: opening };
}

/**
 * The winner's answer as an entry, ordered like the entry it replaces so
 * addresses clients already use keep their places (docs/architecture.md §4).
 *
 * Isolate memory holds the full pool or nothing: for a pooled query the
 * winner's answer is one upstream's subset and is never stored; the clients
 * that come before the pool write lands join the flight instead (resolver.ts).
 * An answer that is not pooled (isPooled) is the whole answer and is stored
 * at once, unless a still-fresh entry is there (a prefetch), which the
 * background refreshes soon.
 */
function rememberWinner(
  cache: AnswerCache,
  key: string,
  response: DnsMessage,
  now: number,
  pooled: boolean,
): CachedAnswer | null {
  const fresh = entryFromResponse(response, now);
  if (!fresh) return null;
  const previous = cache.memory.get(key);
  const entry: CachedAnswer = previous
    ? { ...fresh, answers: orderLike(previous.answers, fresh.answers) }
    : fresh;
  // TTL 0: used for this answer only, never cached (RFC 1035 §3.2.1).
  const keep = !pooled && entry.ttl > 0;
  if (keep && (previous === undefined || classifyEntry(previous, now)?.state !== 'fresh')) {
    void cache.store(key, entry, false);
  }
  return entry;
}

async function finish(
  deps: FlightDeps,
  query: DnsQuery,
  key: string,
  trigger: FanoutTrigger,
  version: QueryVersion,
  report: FanoutReport,
  /** `pool` for a pooled query; otherwise the winner's entry, which stands for the whole answer. */
  target: 'pool' | CachedAnswer | null,
  sweep: SweepDecision,
): Promise<Lookup> {
  deps.health.recordFanout(report);
  // Runs beside the merge and pool write; awaited below so it stays inside waitUntil.
  const shared = deps.healthShare?.publish();
  // Arrival order, winner first: the merge takes the first usable answer's chain as reference.
  const arrived = [...report.attempts].sort((a, b) => a.endedAt - b.endedAt);
  const merged = mergeAnswers(
    { name: query.name, type: query.type, class: query.qclass },
    arrived.flatMap((a) =>
      a.result.ok
        ? [{ upstream: a.upstream.name, response: a.result.response, answer: a.result.answer }]
        : [],
    ),
  );
  const firstArrival = arrived.find((a) => a.result.ok);
  const receivedAt = report.startedAt + (firstArrival?.endedAt ?? 0);
  // Only plain IN, CD=0, DO=0 answers are pooled (isPooled says why); the
  // others keep the winner's answer as their entry, in the colo cache too.
  // A sweep is complete when every upstream of the plan was asked; only then
  // may the pool tell other colos to skip theirs (docs/architecture.md §4).
  const swept = sweep !== 'skipped' && report.notStarted.length === 0;
  const write = target === 'pool' ? toPoolWrite(merged, version, receivedAt, swept) : null;
  if (target !== 'pool' && target !== null && target.ttl > 0) {
    await storeInColo(deps, key, target, query.name);
  }

  let outcome: WriteOutcome | undefined;
  let poolVersion: string | undefined;
  if (write && deps.pools) {
    let result: Awaited<ReturnType<PoolGateway['write']>> | null = null;
    try {
      // Bounded so the write and the cache put below still fit in waitUntil (MAX_DEADLINE_MS).
      const written = deps.pools.write(deps.tenant, query.name, query.type, write);
      result = await settleWithin(deps.clock, written, POOL_WRITE_BUDGET_MS, null);
      if (result === null) throw new Error(`no answer within ${POOL_WRITE_BUDGET_MS} ms`);
    } catch (error) {
      outcome = 'failed';
      console.error(
        JSON.stringify({ event: 'pool-write-error', name: query.name, error: String(error) }),
      );
    }
    if (result) {
      outcome = result.status;
      poolVersion = formatVersion(result.version);
      // Hybrid logical clock: never issue a version below one the pool has seen.
      deps.versions.observe(result.version);
      const entry = entryFromSnapshot(result, deps.clock.now(), poolVersion);
      // The write succeeded whatever the colo cache does: a failed put is its own event.
      if (entry) await storeInColo(deps, key, entry, query.name);
    }
  }

  const lookup: Lookup = {
    scope: deps.tenant,
    name: query.name,
    type: query.type,
    trigger,
    report,
    records: merged.records,
    divergences: merged.divergences.length,
    ...(outcome ? { write: outcome } : {}),
    // This query's version, and the pool's after the write: they differ when it was rejected.
    version: formatVersion(version),
    ...(poolVersion ? { poolVersion } : {}),
    ...(target === 'pool' ? { sweep } : {}),
  };
  deps.observe?.(lookup);
  await shared;
  return lookup;
}

/**
 * What the pool said about the sweep (docs/architecture.md §4): `granted` (this
 * flight sweeps), `skipped` (swept elsewhere within the lease window, or being
 * swept now), `unreachable` (no answer within POOL_OPEN_BUDGET_MS: sweep as
 * if there were no pool), `off` (SWEEP_LEASE=false: every flight sweeps).
 */
export type SweepDecision = 'granted' | 'skipped' | 'unreachable' | 'off';

function sweepDecision(opened: PoolOpening | null): SweepDecision {
  if (opened === null) return 'unreachable';
  return opened.sweep ? 'granted' : 'skipped';
}

/**
 * Opens the domain's pool: its snapshot and the sweep decision, or null when
 * the object fails or has not answered within POOL_OPEN_BUDGET_MS. Never
 * rejects: a pool that cannot be reached costs a colo a sweep, never an answer.
 */
async function openPool(
  deps: FlightDeps,
  pools: PoolGateway,
  query: DnsQuery,
): Promise<PoolOpening | null> {
  try {
    const opening = pools.open(deps.tenant, query.name, query.type, deps.fanout.deadlineMs);
    const opened = await settleWithin(deps.clock, opening, POOL_OPEN_BUDGET_MS, null);
    if (opened === null) throw new Error(`no answer within ${POOL_OPEN_BUDGET_MS} ms`);
    return opened;
  } catch (error) {
    console.error(
      JSON.stringify({ event: 'pool-open-error', name: query.name, error: String(error) }),
    );
    return null;
  }
}

/**
 * The pool's snapshot as this flight's answer when it holds a fresh pool,
 * else null. Its version moves this isolate's clock forward (hybrid logical
 * clock), as a write's reply does.
 */
function poolAnswer(deps: FlightDeps, opened: PoolOpening | null): FlightAnswer | null {
  const snapshot = opened?.snapshot;
  if (!snapshot) return null;
  deps.versions.observe(snapshot.version);
  const now = deps.clock.now();
  const entry = entryFromSnapshot(snapshot, now, formatVersion(snapshot.version));
  // A pool with less than a second left is as good as expired: the flight's own answers replace it.
  if (!entry || entry.ttl <= 0) return null;
  return {
    entry,
    extendedErrors: [],
    winner: null,
    source: 'pool',
  };
}

/**
 * The first of the upstreams' answer and the pool's that carries an entry;
 * when neither does, the upstreams' (it says why they failed). A client never
 * waits for the pool longer than for its upstream answer.
 */
function firstServable(
  fromUpstreams: Promise<FlightAnswer>,
  fromPool: Promise<FlightAnswer | null> | null,
): Promise<FlightAnswer> {
  if (fromPool === null) return fromUpstreams;
  return new Promise((resolve) => {
    let upstreamFailure: FlightAnswer | null = null;
    let poolDone = false;
    void fromUpstreams.then((answer) => {
      if (answer.entry !== null || poolDone) resolve(answer);
      else upstreamFailure = answer;
    });
    void fromPool.then((answer) => {
      poolDone = true;
      if (answer?.entry) resolve(answer);
      else if (upstreamFailure !== null) resolve(upstreamFailure);
    });
  });
}

/**
 * Stores the entry in memory and the colo cache. A put that fails or takes
 * longer than CACHE_PUT_BUDGET_MS costs the colo one refill, nothing more:
 * it is logged as `cache-put-error` and never fails the flight.
 */
async function storeInColo(
  deps: FlightDeps,
  key: string,
  entry: CachedAnswer,
  name: string,
): Promise<void> {
  try {
    await settleWithin(deps.clock, deps.cache.store(key, entry, true), CACHE_PUT_BUDGET_MS, null);
  } catch (error) {
    console.error(JSON.stringify({ event: 'cache-put-error', name, error: String(error) }));
  }
}

/** Transport-level failures everywhere means the network itself failed us. */
const NETWORK_FAILURES: ReadonlySet<UpstreamFailure['kind']> = new Set([
  'refused',
  'closed',
  'network',
  'http-error',
]);

/**
 * RFC 8914: 23 (Network Error) when every upstream failed at the transport
 * level, 22 (No Reachable Authority) when some timed out or answered with an
 * error: what a client of a forwarder can act on.
 */
function failureError(attempts: readonly UpstreamAttempt[]): ExtendedError {
  const kinds = attempts.flatMap((a) => (a.result.ok ? [] : [a.result.failure.kind]));
  const allNetwork = kinds.length > 0 && kinds.every((k) => NETWORK_FAILURES.has(k));
  return allNetwork
    ? { code: EDE.NetworkError, text: 'no upstream reachable' }
    : { code: EDE.NoReachableAuthority, text: `all ${attempts.length} upstreams failed` };
}
