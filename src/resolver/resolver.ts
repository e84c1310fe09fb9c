import { classifyEntry } from '../cache/answer-cache';
import { cacheKey } from '../cache/cache-key';
import { messageFromEntry, remainingTtl } from '../cache/cached-answer';
import { clientSubnet, withClientSubnet } from '../dns/client-subnet';
import { type DnsMessage, FLAGS } from '../dns/codec';
import type { DnsQuery } from '../dns/dns-query';
import { EDE, type ExtendedError } from '../dns/extended-errors';
import type { NameDecision } from '../tenants/name-policy';
import type { EcsPolicy } from '../tenants/tenant-config';
import type { Clock } from '../upstream/clock';
import { type Flight, type FlightAnswer, type FlightDeps, startFlight } from './flight';
import { FAILURE_TTL } from './response-ttl';

export type CacheStatus = 'miss' | 'hit' | 'stale' | 'local';

export interface Resolution {
  /** The answer to send, or null when every upstream failed (SERVFAIL). */
  readonly response: DnsMessage | null;
  readonly extendedErrors: readonly ExtendedError[];
  readonly cacheStatus: CacheStatus;
  readonly winner: { readonly name: string; readonly durationMs: number } | null;
  /** Work that continues after the response: pass to `ctx.waitUntil`. Never rejects. */
  readonly background: Promise<void>;
}

/** RFC 8767 §5: a stale answer is served with a 30 s TTL. */
export const STALE_ANSWER_TTL = 30;
/** RFC 8767 §5: wait at most 1.8 s for a refresh before serving stale. */
export const STALE_REFRESH_WAIT_MS = 1_800;
/** SPEC §5: a hit in the last 10 % of its TTL refreshes the entry in the background. */
export const PREFETCH_SHARE = 0.1;

/** What a flight needs, plus the isolate state that decides whether one starts. */
export interface ResolverDeps extends FlightDeps {
  /** Identical misses in flight in this isolate share one fan-out (SPEC §1.4). */
  readonly inflight: Map<string, Promise<FlightAnswer>>;
  /** Keys whose failure (SERVFAIL) is remembered until the given time (RFC 9520). */
  readonly failures: Map<string, number>;
  /** Cache entries already refreshed by a prefetch, so each is prefetched once. */
  readonly prefetched: WeakSet<object>;
  /** The tenant's allow/deny lists; absent: every name passes. */
  readonly namePolicy?: (name: string) => NameDecision;
  /** SPEC §6: `strip` (default) or send the client's truncated subnet upstream. */
  readonly ecs?: EcsPolicy;
}

/** What the resolver may know about the client; only used for opt-in ECS. */
export interface ClientInfo {
  readonly ip?: string;
}

export interface Resolver {
  resolve(query: DnsQuery, client?: ClientInfo): Promise<Resolution>;
}

const DONE: Promise<void> = Promise.resolve();

export function createResolver(deps: ResolverDeps): Resolver {
  /**
   * Starts (or joins) the fan-out for `key`; `scope` names the pool. Never
   * rejects. A flight stays joinable until its pool write has refilled the
   * caches (isolate memory never holds the winner's subset, so until then the
   * flight is where this isolate's clients get the answer without another
   * fan-out), but only while its answer is fresh: a client that comes after
   * the winner's TTL ran out starts a fan-out of its own (the SPEC §4 race).
   */
  function fly(
    query: DnsQuery,
    key: string,
    scope: string,
  ): { answer: Promise<FlightAnswer>; background: Promise<void> } {
    const joined = deps.inflight.get(key);
    if (joined) {
      const next = joined.then((answer) => {
        if (
          answer.entry === null ||
          classifyEntry(answer.entry, deps.clock.now())?.state === 'fresh'
        ) {
          return { answer: Promise.resolve(answer), background: DONE };
        }
        // Every client that found this answer too old must not start its own
        // fan-out: the first one to get here starts one, the others join it.
        const current = deps.inflight.get(key);
        return current !== undefined && current !== joined
          ? fly(query, key, scope)
          : start(query, key, scope);
      });
      return {
        answer: next.then((flight) => flight.answer),
        background: next.then((flight) => flight.background),
      };
    }
    return start(query, key, scope);
  }

  function start(query: DnsQuery, key: string, scope: string): Flight {
    const flight = startFlight({ ...deps, tenant: scope }, query, key);
    deps.inflight.set(key, flight.answer);
    const forget = () => {
      if (deps.inflight.get(key) === flight.answer) deps.inflight.delete(key);
    };
    flight.background.then(forget, forget);
    return flight;
  }

  function fromFlight(answer: FlightAnswer, background: Promise<void>): Resolution {
    return {
      response: answer.entry ? messageFromEntry(answer.entry, deps.clock.now()) : null,
      extendedErrors: answer.extendedErrors,
      cacheStatus: 'miss',
      winner: answer.winner,
      background,
    };
  }

  return {
    async resolve(clientQuery, client) {
      if (deps.namePolicy?.(clientQuery.name) === 'deny') return blocked();
      // With opt-in ECS, answers depend on the client's subnet: the subnet joins
      // the cache key and the pool's name, so one subnet never gets another's pool.
      const subnet = deps.ecs === 'truncate' && client?.ip ? clientSubnet(client.ip) : null;
      const query = subnet
        ? { ...clientQuery, upstreamQuery: withClientSubnet(clientQuery.upstreamQuery, subnet) }
        : clientQuery;
      const scope = subnet ? `${deps.tenant}@${subnet.text}` : deps.tenant;
      const key = cacheKey({ tenant: scope, ...query });
      const now = deps.clock.now();
      const found = await deps.cache.lookup(key, now);

      if (found?.state === 'fresh') {
        const { entry } = found;
        const nearEnd = remainingTtl(entry, now) <= entry.ttl * PREFETCH_SHARE;
        let background = DONE;
        if (nearEnd && !deps.prefetched.has(entry)) {
          deps.prefetched.add(entry);
          background = fly(query, key, scope).background;
        }
        return {
          response: messageFromEntry(entry, now),
          extendedErrors: [],
          cacheStatus: 'hit',
          winner: null,
          background,
        };
      }

      const failedUntil = deps.failures.get(key);
      const recentlyFailed = failedUntil !== undefined && failedUntil > now;
      if (!recentlyFailed && failedUntil !== undefined) deps.failures.delete(key);

      if (found?.state === 'stale') {
        const flight = recentlyFailed ? null : fly(query, key, scope);
        const refreshed = flight ? await withinStaleWait(deps.clock, flight.answer) : null;
        if (flight && refreshed?.entry) return fromFlight(refreshed, flight.background);
        // A refresh that failed everywhere is remembered like any failure (RFC 9520),
        // so the next clients get the stale entry without another full fan-out.
        if (refreshed && !refreshed.entry) {
          deps.failures.set(key, deps.clock.now() + FAILURE_TTL * 1000);
        }
        return {
          response: messageFromEntry(found.entry, now, STALE_ANSWER_TTL),
          extendedErrors: [{ code: EDE.StaleAnswer, text: 'refresh failed or too slow' }],
          cacheStatus: 'stale',
          winner: null,
          background: flight?.background ?? DONE,
        };
      }

      if (recentlyFailed) {
        return {
          response: null,
          extendedErrors: [{ code: EDE.CachedError, text: 'recent resolution failure' }],
          cacheStatus: 'hit',
          winner: null,
          background: DONE,
        };
      }

      const flight = fly(query, key, scope);
      const answer = await flight.answer;
      if (!answer.entry) deps.failures.set(key, deps.clock.now() + FAILURE_TTL * 1000);
      return fromFlight(answer, flight.background);
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
    background: DONE,
  };
}

/** RCODE 3 (RFC 1035 §4.1.1). */
const NXDOMAIN = 3;

/** The flight's answer if it comes within STALE_REFRESH_WAIT_MS, else null. */
function withinStaleWait(
  clock: Clock,
  answer: Promise<FlightAnswer>,
): Promise<FlightAnswer | null> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(null), STALE_REFRESH_WAIT_MS);
    void answer.then((value) => {
      clock.clearTimeout(timer);
      resolve(value);
    });
  });
}
