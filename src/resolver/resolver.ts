import { type CachedAnswer, classifyEntry } from '../cache/answer-cache';
import { cacheKey } from '../cache/cache-key';
import { messageFromEntry } from '../cache/cached-answer';
import type { LruCache } from '../cache/lru-cache';
import { clientSubnet, withClientSubnet } from '../dns/client-subnet';
import { type DnsMessage, FLAGS } from '../dns/codec';
import type { DnsQuery } from '../dns/dns-query';
import { EDE, type ExtendedError } from '../dns/extended-errors';
import type { FanoutTrigger, Lookup } from '../observability/lookup';
import type { PhaseTimer } from '../observability/phase-timing';
import type { NameDecision } from '../tenants/name-policy';
import type { EcsPolicy } from '../tenants/tenant-config';
import { settleWithin } from '../upstream/clock';
import { type FlightAnswer, type FlightDeps, startFlight } from './flight';
import type { InflightFlights } from './inflight-flights';
import { FAILURE_TTL } from './response-ttl';

/**
 * `pool`: a miss answered by the domain's pool, read beside the active tier
 * (docs/architecture.md §4), because it arrived before any upstream's answer.
 */
export type CacheStatus = 'miss' | 'pool' | 'hit' | 'stale' | 'local';

export interface Resolution {
  /** The answer to send, or null when every upstream failed (SERVFAIL). */
  readonly response: DnsMessage | null;
  readonly extendedErrors: readonly ExtendedError[];
  readonly cacheStatus: CacheStatus;
  readonly winner: { readonly name: string; readonly durationMs: number } | null;
  /**
   * How this query took part in a fan-out: settles at once when it started
   * none or joined one, when its own fan-out's background ends otherwise.
   * Never rejects.
   */
  readonly fanout: Promise<FanoutShare>;
}

/**
 * A query's part in a fan-out: none (answered from cache or by policy),
 * joined (shared one another query started), or started, for one of three
 * reasons; the starter reports what the fan-out came to (null: its
 * background failed), so every fan-out is logged and counted exactly once.
 */
export type FanoutShare =
  | { readonly kind: 'none' }
  | { readonly kind: 'joined' }
  | { readonly kind: 'started'; readonly trigger: FanoutTrigger; readonly lookup: Lookup | null };

/** Where fly() records this query's share; the first record wins. */
interface ShareSlot {
  readonly promise: Promise<FanoutShare>;
  settle(share: FanoutShare | Promise<FanoutShare>): void;
}

function shareSlot(): ShareSlot {
  let settle: (share: FanoutShare | Promise<FanoutShare>) => void = () => {};
  const promise = new Promise<FanoutShare>((resolve) => {
    settle = resolve;
  });
  return { promise, settle: (share) => settle(share) };
}

const NO_FANOUT: FanoutShare = { kind: 'none' };

/** RFC 8767 §5: a stale answer is served with a 30 s TTL. */
export const STALE_ANSWER_TTL = 30;
/** RFC 8767 §5: wait at most 1.8 s for a refresh before serving stale. */
export const STALE_REFRESH_WAIT_MS = 1_800;
/** docs/architecture.md §5: a hit in the last 10 % of its TTL refreshes the entry in the background. */
export const PREFETCH_SHARE = 0.1;
/**
 * How long past the fan-out deadline a client waits for a flight it joined:
 * the deadline ends every upstream attempt, so the answer settles within a
 * few event-loop turns of it; this margin only matters when something went
 * wrong, and then the client gets SERVFAIL instead of hanging.
 */
export const FLIGHT_JOIN_MARGIN_MS = 1_000;
/**
 * How long after its answer a flight stays joinable at most: its pool write
 * and cache refill normally end it long before; this only ends the sharing
 * of a flight whose background never settled.
 */
export const FLIGHT_WRITE_MS = 5_000;

/** What a flight needs, plus the isolate state that decides whether one starts. */
export interface ResolverDeps extends FlightDeps {
  /** Identical misses in flight in this isolate share one fan-out (docs/architecture.md §1.4). */
  readonly inflight: InflightFlights;
  /** Keys whose failure (SERVFAIL) is remembered until the given time (RFC 9520); bounded. */
  readonly failures: LruCache<string, number>;
  /** Cache entries already refreshed by a prefetch, so each is prefetched once. */
  readonly prefetched: WeakSet<object>;
  /** The tenant's allow/deny lists; absent: every name passes. */
  readonly namePolicy?: (name: string) => NameDecision;
  /** docs/architecture.md §6: `strip` (default) or send the client's truncated subnet upstream. */
  readonly ecs?: EcsPolicy;
}

/** The request a query arrived in. */
export interface RequestScope {
  /** The client's address; only used for opt-in ECS. */
  readonly ip?: string;
  /**
   * `ctx.waitUntil` of the request. A flight is handed to it the moment it
   * starts: when a client hangs up, the platform cancels every task of its
   * request that was not, and the flight is shared with other clients.
   */
  readonly waitUntil: (work: Promise<unknown>) => void;
  /**
   * Where the request's own time goes (observability/phase-timing.ts):
   * `isolate-cache`, `colo-cache` and `upstream` (the wait for the first
   * usable answer) are marked here; a read that runs beside the upstream
   * race marks its own phase (`pool`). Absent: nothing is recorded.
   */
  readonly phases?: PhaseTimer;
}

export interface Resolver {
  resolve(query: DnsQuery, request: RequestScope): Promise<Resolution>;
}

export function createResolver(deps: ResolverDeps): Resolver {
  /**
   * Joins the live flight for `key` or starts one; `scope` names the pool.
   * Never rejects, and never takes longer than the flight's deadline plus
   * FLIGHT_JOIN_MARGIN_MS. A flight stays joinable until its pool write has
   * refilled the caches (isolate memory never holds the winner's subset, so
   * until then the flight is where this isolate's clients get the answer
   * without another fan-out), but only while its answer is fresh: a client
   * that comes after the winner's TTL ran out starts a fan-out of its own
   * (the docs/architecture.md §4 race).
   */
  function fly(
    query: DnsQuery,
    key: string,
    scope: string,
    request: RequestScope,
    share: ShareSlot,
    trigger: FanoutTrigger,
  ): Promise<FlightAnswer> {
    const now = deps.clock.now();
    const joined = deps.inflight.join(key, now);
    if (!joined) return start(query, key, scope, request, share, trigger);
    return settleWithin(deps.clock, joined.answer, joined.answerBy - now, lateAnswer).then(
      (answer) => {
        if (
          answer.entry === null ||
          classifyEntry(answer.entry, deps.clock.now())?.state === 'fresh'
        ) {
          share.settle({ kind: 'joined' });
          return answer;
        }
        // Every client that found this answer too old must not start its own
        // fan-out: the first one to get here starts one, the others join it.
        const current = deps.inflight.join(key, deps.clock.now());
        return current !== undefined && current !== joined
          ? fly(query, key, scope, request, share, trigger)
          : start(query, key, scope, request, share, trigger);
      },
    );
  }

  /**
   * Starts a flight and hands its whole lifetime (fan-out, merge, pool write,
   * cache refill) to `waitUntil` before anyone awaits it, so it survives the
   * client that started it.
   */
  function start(
    query: DnsQuery,
    key: string,
    scope: string,
    request: RequestScope,
    share: ShareSlot,
    trigger: FanoutTrigger,
  ): Promise<FlightAnswer> {
    const now = deps.clock.now();
    const flight = startFlight({ ...deps, tenant: scope }, query, key, trigger);
    request.waitUntil(flight.background);
    if (flight.poolRead) request.phases?.timeAsync('pool', flight.poolRead);
    share.settle(flight.lookup.then((lookup) => ({ kind: 'started', trigger, lookup })));
    // Every failed flight is remembered (RFC 9520), whoever still waits for it:
    // a refresh that fails after the stale wait must not be retried by the next client.
    void flight.answer.then((answer) => {
      if (!answer.entry) deps.failures.set(key, deps.clock.now() + FAILURE_TTL * 1000);
    });
    const answerBy = now + deps.fanout.deadlineMs + FLIGHT_JOIN_MARGIN_MS;
    deps.inflight.add(
      key,
      {
        answer: flight.answer,
        done: flight.background,
        answerBy,
        expiresAt: answerBy + FLIGHT_WRITE_MS,
      },
      now,
    );
    return settleWithin(deps.clock, flight.answer, answerBy - now, lateAnswer);
  }

  function fromFlight(answer: FlightAnswer, share: ShareSlot): Resolution {
    return {
      response: answer.entry ? messageFromEntry(answer.entry, deps.clock.now()) : null,
      extendedErrors: answer.extendedErrors,
      cacheStatus: answer.source === 'pool' ? 'pool' : 'miss',
      winner: answer.winner,
      fanout: share.promise,
    };
  }

  return {
    async resolve(clientQuery, request) {
      if (deps.namePolicy?.(clientQuery.name) === 'deny') return blocked();
      const share = shareSlot();
      // With opt-in ECS, answers depend on the client's subnet: the subnet joins
      // the cache key and the pool's name, so one subnet never gets another's pool.
      const subnet = deps.ecs === 'truncate' && request.ip ? clientSubnet(request.ip) : null;
      const query = subnet
        ? { ...clientQuery, upstreamQuery: withClientSubnet(clientQuery.upstreamQuery, subnet) }
        : clientQuery;
      const scope = subnet ? `${deps.tenant}@${subnet.text}` : deps.tenant;
      const key = cacheKey({ tenant: scope, ...query });
      const now = deps.clock.now();
      // A memory miss asks the colo: a young isolate loads the colo's health snapshot
      // beside that lookup, never awaited (docs/architecture.md §2).
      const loading = deps.cache.memory.peek(key) ? null : deps.healthShare?.prepare();
      if (loading) request.waitUntil(loading);
      const found = await deps.cache.lookup(key, now, request.phases);

      if (found?.state === 'fresh') {
        const { entry } = found;
        if (inPrefetchWindow(entry, now) && !deps.prefetched.has(entry)) {
          deps.prefetched.add(entry);
          void fly(query, key, scope, request, share, 'prefetch');
        } else {
          share.settle(NO_FANOUT);
        }
        return {
          response: messageFromEntry(entry, now),
          extendedErrors: [],
          cacheStatus: 'hit',
          winner: null,
          fanout: share.promise,
        };
      }

      const failedUntil = deps.failures.get(key);
      const recentlyFailed = failedUntil !== undefined && failedUntil > now;
      if (!recentlyFailed && failedUntil !== undefined) deps.failures.delete(key);

      if (found?.state === 'stale') {
        // A failed refresh (fast or slow) was remembered by start(), so while the
        // upstreams are down the next clients get the stale entry at once.
        if (recentlyFailed) share.settle(NO_FANOUT);
        const refreshed = recentlyFailed
          ? null
          : await settleWithin(
              deps.clock,
              fly(query, key, scope, request, share, 'stale-refresh'),
              STALE_REFRESH_WAIT_MS,
              null,
            );
        if (refreshed?.entry) return fromFlight(refreshed, share);
        return {
          response: messageFromEntry(found.entry, now, STALE_ANSWER_TTL),
          extendedErrors: [{ code: EDE.StaleAnswer, text: 'refresh failed or too slow' }],
          cacheStatus: 'stale',
          winner: null,
          fanout: share.promise,
        };
      }

      if (recentlyFailed) {
        return {
          response: null,
          extendedErrors: [{ code: EDE.CachedError, text: 'recent resolution failure' }],
          cacheStatus: 'hit',
          winner: null,
          fanout: Promise.resolve(NO_FANOUT),
        };
      }

      const flown = fly(query, key, scope, request, share, 'miss');
      return fromFlight(await (request.phases?.timeAsync('upstream', flown) ?? flown), share);
    },
  };
}

/** A denied name: NXDOMAIN with EDE 15 (Blocked, RFC 8914 §4.16), no upstream asked. */
function blocked(): Resolution {
  return {
    response: {
      type: 'response',
      flags: FLAGS.RECURSION_AVAILABLE | NXDOMAIN,
      questions: [],
      answers: [],
      authorities: [],
      additionals: [],
    },
    extendedErrors: [{ code: EDE.Blocked, text: 'blocked by the resolver operator' }],
    cacheStatus: 'local',
    winner: null,
    fanout: Promise.resolve(NO_FANOUT),
  };
}

/** RCODE 3 (RFC 1035 §4.1.1). */
const NXDOMAIN = 3;

/**
 * Whether a fresh entry is in the last PREFETCH_SHARE of its lifetime,
 * counted in milliseconds: in whole seconds the last 10 % of a TTL under
 * 10 s is under one second, and a fresh entry always has at least one left.
 */
export function inPrefetchWindow(entry: CachedAnswer, now: number): boolean {
  const lifetimeMs = entry.ttl * 1000;
  return entry.storedAt + lifetimeMs - now <= lifetimeMs * PREFETCH_SHARE;
}

/** What a client gets when the flight it waits for has not settled by its expiry. */
const lateAnswer: FlightAnswer = {
  entry: null,
  extendedErrors: [{ code: EDE.NoReachableAuthority, text: 'no answer within the deadline' }],
  winner: null,
};
