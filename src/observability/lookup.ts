/**
 * What one finished fan-out hands to observability (docs/operations.md §5): the
 * scheduler's report plus what the merge and the pool write made of it.
 * Metrics and traces are both built from this, so they cannot disagree
 * with each other or with the query log.
 */

import type { SweepDecision } from '../resolver/flight';
import { tenantIdOf } from '../tenants/tenant-scope';
import type { FanoutReport } from '../upstream/scheduler';

export type WriteOutcome = 'accepted' | 'merged' | 'rejected' | 'failed';

/**
 * Why a fan-out ran: a client's miss, a hit in the last tenth of its TTL
 * (prefetch, docs/architecture.md §5) or an expired entry being refreshed (RFC 8767).
 */
export type FanoutTrigger = 'miss' | 'prefetch' | 'stale-refresh';

export interface Lookup {
  /**
   * The pool scope of the flight: the tenant scope (id and generation,
   * tenant-scope.ts), plus `@subnet` with opt-in ECS (see resolver.ts).
   * `tenantOf` keeps only the id.
   */
  readonly scope: string;
  readonly name: string;
  readonly type: string;
  readonly trigger: FanoutTrigger;
  readonly report: FanoutReport;
  /** The merged records; only who returned each one matters here. */
  readonly records: readonly { readonly sources: readonly string[] }[];
  /** Records the upstreams disagreed on (the merge's divergences); absent: not counted. */
  readonly divergences?: number;
  /** Absent when nothing was written (no usable answer, or no pool binding). */
  readonly write?: WriteOutcome;
  /** The query's own version. */
  readonly version: string;
  /** The pool's version after the write, when there was one. */
  readonly poolVersion?: string;
  /** Pooled queries: what the pool decided about the background sweep (flight.ts SweepDecision). */
  readonly sweep?: SweepDecision;
}

/**
 * The tenant id of a pool scope. The ECS subnet and the generation stay out
 * of metric labels: one label set per client subnet would defeat the label cap.
 */
export function tenantOf(scope: string): string {
  return tenantIdOf(scope);
}

/** How many merged records each upstream returned (a record from two counts for both). */
export function contributions(records: Lookup['records']): Map<string, number> {
  const counts = new Map<string, number>();
  for (const record of records) {
    for (const source of record.sources) counts.set(source, (counts.get(source) ?? 0) + 1);
  }
  return counts;
}
