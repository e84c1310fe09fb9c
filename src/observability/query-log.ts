/**
 * One structured JSON line per query (SPEC §10): enough to reconstruct the
 * fan-out timeline from logs alone (`wrangler tail`, Logpush).
 */
import type { UpstreamAttempt } from '../upstream/scheduler';

export interface AttemptLog {
  readonly upstream: string;
  readonly tier: 'active' | 'background';
  readonly start: number;
  readonly end: number;
  readonly outcome: string;
}

export interface QueryLog {
  readonly event: 'query';
  readonly tenant?: string;
  readonly name: string;
  readonly type: string;
  readonly cache: string;
  readonly winner: string | null;
  readonly upstreams: readonly AttemptLog[];
  readonly notStarted: readonly string[];
  readonly mergeSize: number;
  readonly divergences: number;
  readonly write?: 'accepted' | 'merged' | 'rejected' | 'failed';
  /** The query's own version (SPEC §4: taken when it started). */
  readonly version?: string;
  /** The pool's version after the write; differs from `version` when the write was rejected. */
  readonly poolVersion?: string;
}

/** Offsets are ms since the fan-out started; outcome is `ok` or the failure kind. */
export function attemptLog(attempt: UpstreamAttempt): AttemptLog {
  return {
    upstream: attempt.upstream.name,
    tier: attempt.tier,
    start: attempt.startedAt,
    end: attempt.endedAt,
    outcome: attempt.result.ok
      ? 'ok'
      : `${attempt.result.failure.kind}${attempt.result.failure.rcode ? `:${attempt.result.failure.rcode}` : ''}`,
  };
}

/** Writes one JSON line; workerd forwards console.log to `wrangler tail` / Logpush. */
export function writeQueryLog(entry: QueryLog): void {
  console.log(JSON.stringify(entry));
}
