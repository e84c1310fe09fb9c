/**
 * One fan-out for one cache key, from the first upstream request to the
 * refilled cache: the answer the waiting clients get, and the background
 * work (health, merge, pool write, cache refill) that runs after it.
 */
import { type AnswerCache, type CachedAnswer, classifyEntry } from '../cache/answer-cache';
import {
  entryFromResponse,
  entryFromSnapshot,
  messageFromEntry,
  orderLike,
} from '../cache/cached-answer';
import type { DnsMessage } from '../dns/codec';
import type { DnsQuery } from '../dns/dns-query';
import { EDE, type ExtendedError } from '../dns/extended-errors';
import type { Lookup } from '../observability/lookup';
import { attemptLog, type QueryLog } from '../observability/query-log';
import { mergeAnswers } from '../pool/merge-answers';
import type { PoolGateway } from '../pool/pool-gateway';
import { toPoolWrite } from '../pool/pool-update';
import { formatVersion, type QueryVersion, type VersionClock } from '../pool/query-version';
import type { Clock } from '../upstream/clock';
import {
  type FanoutReport,
  type FanoutSettings,
  startFanout,
  type UpstreamAttempt,
} from '../upstream/scheduler';
import type { Exchange, Upstream, UpstreamFailure } from '../upstream/types';
import type { UpstreamHealth } from '../upstream/upstream-health';

export interface FlightAnswer {
  /** The answer for the client, or null when every upstream failed. */
  readonly response: DnsMessage | null;
  readonly extendedErrors: readonly ExtendedError[];
  readonly winner: { readonly name: string; readonly durationMs: number } | null;
}

export interface FlightDeps {
  readonly tenant: string;
  readonly upstreams: readonly Upstream[];
  readonly fanout: FanoutSettings;
  readonly exchange: Exchange;
  readonly health: UpstreamHealth;
  readonly clock: Clock;
  readonly cache: AnswerCache;
  readonly pools: PoolGateway | null;
  readonly versions: VersionClock;
  readonly log: (entry: QueryLog) => void;
  /** Metrics and traces (SPEC §10); absent: not recorded. */
  readonly observe?: (lookup: Lookup) => void;
}

export interface Flight {
  /** Never rejects. */
  readonly answer: Promise<FlightAnswer>;
  /** Never rejects; for `ctx.waitUntil`. */
  readonly background: Promise<void>;
}

export function startFlight(deps: FlightDeps, query: DnsQuery, key: string): Flight {
  // The version is taken when the query starts (SPEC §4): it orders this
  // query's eventual pool write against every other query's.
  const version = deps.versions.next();
  const fanout = startFanout({
    upstreams: deps.health.rank(deps.upstreams),
    query: query.upstreamQuery,
    exchange: deps.exchange,
    settings: deps.fanout,
    clock: deps.clock,
  });

  const answer = fanout.firstUsable
    .then(async (winner): Promise<FlightAnswer> => {
      if (winner?.result.ok) {
        return {
          response: rememberWinner(deps.cache, key, winner.result.response, deps.clock.now()),
          extendedErrors: [],
          winner: { name: winner.upstream.name, durationMs: winner.endedAt - winner.startedAt },
        };
      }
      const report = await fanout.settled;
      return { response: null, extendedErrors: [failureError(report.attempts)], winner: null };
    })
    .catch((error: unknown) => ({
      response: null,
      extendedErrors: [{ code: EDE.OtherError, text: `internal error: ${String(error)}` }],
      winner: null,
    }));

  const background = fanout.settled
    .then((report) => finish(deps, query, key, version, report))
    .catch((error: unknown) => {
      console.error(
        JSON.stringify({ event: 'background-error', name: query.name, error: String(error) }),
      );
    });

  return { answer, background };
}

/**
 * Caches the winner's answer in isolate memory at once (until the pool write
 * replaces it), ordered like the entry it replaces so addresses clients
 * already use keep their places, and returns the message to send.
 *
 * A still-fresh entry (a prefetch) is left in place: it holds the whole pool,
 * the winner only its own subset, and the pool write refreshes it soon.
 */
function rememberWinner(
  cache: AnswerCache,
  key: string,
  response: DnsMessage,
  now: number,
): DnsMessage {
  const fresh = entryFromResponse(response, now);
  if (!fresh) return response;
  const previous = cache.memory.get(key);
  const entry: CachedAnswer = previous
    ? { ...fresh, answers: orderLike(previous.answers, fresh.answers) }
    : fresh;
  if (previous === undefined || classifyEntry(previous, now)?.state !== 'fresh') {
    void cache.store(key, entry, false);
  }
  return messageFromEntry(entry, now);
}

async function finish(
  deps: FlightDeps,
  query: DnsQuery,
  key: string,
  version: QueryVersion,
  report: FanoutReport,
): Promise<void> {
  deps.health.recordFanout(report);
  // Arrival order, winner first: the merge takes the first usable answer's chain as reference.
  const arrived = [...report.attempts].sort((a, b) => a.endedAt - b.endedAt);
  const merged = mergeAnswers(
    { name: query.name, type: query.type, class: query.qclass },
    arrived.flatMap((a) =>
      a.result.ok ? [{ upstream: a.upstream.name, response: a.result.response }] : [],
    ),
  );
  const firstArrival = arrived.find((a) => a.result.ok);
  const receivedAt = report.startedAt + (firstArrival?.endedAt ?? 0);
  // A DNSSEC-OK client gets one upstream's answer as signed: a merged RRset is
  // no longer covered by any upstream's RRSIG, and its signatures must never
  // reach the shared pool that plain clients are served from.
  const write = query.dnssecOk ? null : toPoolWrite(merged, version, receivedAt);
  if (query.dnssecOk) {
    // No pool write follows: the winner's answer, kept in memory, is the entry for the colo too.
    const winnerEntry = deps.cache.memory.get(key);
    if (winnerEntry) await deps.cache.store(key, winnerEntry, true);
  }

  let outcome: QueryLog['write'];
  let poolVersion: string | undefined;
  if (write && deps.pools) {
    try {
      const result = await deps.pools.write(deps.tenant, query.name, query.type, write);
      outcome = result.status;
      poolVersion = formatVersion(result.version);
      // Hybrid logical clock: never issue a version below one the pool has seen.
      deps.versions.observe(result.version);
      const now = deps.clock.now();
      const entry = entryFromSnapshot(result, now, poolVersion);
      if (entry) await deps.cache.store(key, entry, true);
    } catch (error) {
      outcome = 'failed';
      console.error(
        JSON.stringify({ event: 'pool-write-error', name: query.name, error: String(error) }),
      );
    }
  }

  deps.log({
    event: 'query',
    tenant: deps.tenant,
    name: query.name,
    type: query.type,
    cache: 'miss',
    winner: report.winner?.upstream.name ?? null,
    upstreams: report.attempts.map(attemptLog),
    notStarted: report.notStarted.map((u) => u.name),
    mergeSize: merged.records.length,
    divergences: merged.divergences.length,
    ...(outcome ? { write: outcome } : {}),
    // This query's version, and the pool's after the write: they differ when it was rejected.
    version: formatVersion(version),
    ...(poolVersion ? { poolVersion } : {}),
  });
  deps.observe?.({
    scope: deps.tenant,
    name: query.name,
    type: query.type,
    report,
    records: merged.records,
    ...(outcome ? { write: outcome } : {}),
    version: formatVersion(version),
    ...(poolVersion ? { poolVersion } : {}),
  });
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
