/**
 * One structured JSON line per client query (docs/operations.md §5): hits, stale and
 * local answers, clients that joined another query's fan-out, and the
 * queries that started one (a miss, a prefetch or a stale refresh), whose
 * line carries the whole fan-out timeline, enough to reconstruct it from
 * logs alone (`wrangler tail`, Logpush).
 */
import type { SweepDecision } from '../resolver/flight';
import type { FanoutShare } from '../resolver/resolver';
import type { UpstreamAttempt } from '../upstream/scheduler';
import type { AnsweredQuery } from './answered-query';
import type { FanoutTrigger, WriteOutcome } from './lookup';

export interface AttemptLog {
  readonly upstream: string;
  readonly tier: 'active' | 'background';
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
}

export interface QueryLog {
  readonly event: 'query';
  readonly tenant: string;
  readonly name: string;
  readonly type: string;
  /** What the client got: `hit`, `miss`, `stale` or `local`. */
  readonly cache: string;
  readonly rcode: string;
  /** From the request reaching the route to the answer being ready. */
  readonly latencyMs: number;
  /** `none`, `joined` (another query's fan-out answered it) or why this query started one. */
  readonly fanout: 'none' | 'joined' | FanoutTrigger;
  readonly winner: string | null;
  /** ms per phase of the worker's own path, and `total` (docs/operations.md §5). */
  readonly phases?: Readonly<Record<string, number>>;
  /** The rest only when this query started a fan-out. */
  readonly upstreams?: readonly AttemptLog[];
  readonly notStarted?: readonly string[];
  readonly mergeSize?: number;
  readonly divergences?: number;
  readonly write?: WriteOutcome;
  /** The query's own version (docs/architecture.md §4: taken when it started). */
  readonly version?: string;
  /** The pool's version after the write; differs from `version` when the write was rejected. */
  readonly poolVersion?: string;
  /** Pooled queries: whether this fan-out swept (granted, skipped, unreachable, off). */
  readonly sweep?: SweepDecision;
}

/** The line of a query that started a fan-out: it always has the timeline. */
export type FanoutQueryLog = QueryLog & {
  readonly upstreams: readonly AttemptLog[];
  readonly notStarted: readonly string[];
  readonly mergeSize: number;
};

/** Offsets are ms since the fan-out started; outcome is `ok` or the failure kind. */
export function attemptLog(attempt: UpstreamAttempt): AttemptLog {
  return {
    upstream: attempt.upstream.name,
    tier: attempt.tier,
    start: attempt.startedAt,
    end: attempt.endedAt,
    outcome: attemptOutcome(attempt),
  };
}

/** `ok`, or the failure kind with the upstream's RCODE when it sent one (`rcode:2`). */
export function attemptOutcome(attempt: UpstreamAttempt): string {
  if (attempt.result.ok) return 'ok';
  const { kind, rcode } = attempt.result.failure;
  return rcode ? `${kind}:${rcode}` : kind;
}

/** The log line of one answered query. */
export function queryLog(answered: AnsweredQuery, share: FanoutShare): QueryLog {
  const line: QueryLog = {
    event: 'query',
    tenant: answered.tenant,
    name: answered.name,
    type: answered.type,
    cache: answered.cache,
    rcode: answered.rcode,
    latencyMs: answered.latencyMs,
    fanout: share.kind === 'started' ? share.trigger : share.kind,
    winner: answered.winner,
    ...(answered.phases ? { phases: answered.phases } : {}),
  };
  if (share.kind !== 'started' || share.lookup === null) return line;
  const { report, write, version, poolVersion, records, divergences, sweep } = share.lookup;
  return {
    ...line,
    // A prefetch or a stale refresh answered nobody when it finished; its own winner is here.
    winner: report.winner?.upstream.name ?? null,
    upstreams: report.attempts.map(attemptLog),
    notStarted: report.notStarted.map((u) => u.name),
    mergeSize: records.length,
    ...(divergences !== undefined ? { divergences } : {}),
    ...(write ? { write } : {}),
    version,
    ...(poolVersion ? { poolVersion } : {}),
    ...(sweep ? { sweep } : {}),
  };
}
