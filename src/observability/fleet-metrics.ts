/**
 * Fleet-wide metrics on Workers Analytics Engine: one data point per client
 * query and one per upstream attempt, written by every isolate in every colo
 * to one dataset an operator queries with SQL. The Prometheus endpoint only
 * sees the isolate that answers the scrape; this sees the fleet.
 *
 * Analytics Engine columns are positional, so the layout below is the
 * contract the dashboards' SQL (docs/operations.md) is written against:
 * append new fields at the end, never move one.
 *
 * | column  | query point                          | attempt point                |
 * |---------|--------------------------------------|------------------------------|
 * | index1  | tenant (the sampling key)            | tenant                       |
 * | blob1   | `query`                              | `attempt`                    |
 * | blob2   | tenant                               | tenant                       |
 * | blob3   | cache: hit, miss, pool, stale, local | upstream name                |
 * | blob4   | rcode sent (NOERROR, SERVFAIL, …)    | outcome: ok or failure kind  |
 * | blob5   | winner upstream, or empty            | tier: active, background     |
 * | blob6   | fanout: none, joined, miss, prefetch, stale-refresh | trigger of the fan-out |
 * | blob7   | pool write: accepted, merged, rejected, failed, or empty | (empty)  |
 * | blob8   | query type (A, AAAA, …)              | query type                   |
 * | double1 | latency to the client's answer, ms   | attempt latency, ms          |
 * | double2 | upstreams asked by its fan-out       | 1 if it was the winner, else 0 |
 *
 * The query name is not written: names are the most private thing a
 * resolver sees, and the dashboards do not need them (the logs have them).
 *
 * @see https://developers.cloudflare.com/analytics/analytics-engine/get-started/
 */
import type { FanoutShare } from '../resolver/resolver';
import type { UpstreamAttempt } from '../upstream/scheduler';
import type { AnsweredQuery } from './answered-query';
import { tenantOf } from './lookup';
import { attemptOutcome } from './query-log';

/**
 * Analytics Engine takes at most 250 data points per invocation; one query
 * writes one plus one per attempt. A fan-out asks at most a few upstreams
 * (MAX_INFLIGHT ≤ 6 at a time, a tenant's list is bounded), so this cap only
 * guards the platform limit against a future change, never a real query.
 */
export const MAX_ATTEMPT_POINTS = 200;

/** The query's data point (layout above). */
export function queryPoint(answered: AnsweredQuery, share: FanoutShare): AnalyticsEngineDataPoint {
  const lookup = share.kind === 'started' ? share.lookup : null;
  return {
    indexes: [answered.tenant],
    blobs: [
      'query',
      answered.tenant,
      answered.cache,
      answered.rcode,
      answered.winner ?? '',
      share.kind === 'started' ? share.trigger : share.kind,
      lookup?.write ?? '',
      answered.type,
    ],
    doubles: [answered.latencyMs, lookup?.report.attempts.length ?? 0],
  };
}

/** One data point per upstream attempt of the fan-out the query started (layout above). */
export function attemptPoints(share: FanoutShare, type: string): AnalyticsEngineDataPoint[] {
  if (share.kind !== 'started' || share.lookup === null) return [];
  const { report, scope } = share.lookup;
  const tenant = tenantOf(scope);
  return report.attempts.slice(0, MAX_ATTEMPT_POINTS).map((attempt: UpstreamAttempt) => ({
    indexes: [tenant],
    blobs: [
      'attempt',
      tenant,
      attempt.upstream.name,
      attemptOutcome(attempt),
      attempt.tier,
      share.trigger,
      '',
      type,
    ],
    doubles: [attempt.endedAt - attempt.startedAt, attempt === report.winner ? 1 : 0],
  }));
}

/** Writes the query's points; `writeDataPoint` returns at once and never throws on bad data. */
export function writeFleetPoints(
  dataset: AnalyticsEngineDataset,
  answered: AnsweredQuery,
  share: FanoutShare,
): void {
  dataset.writeDataPoint(queryPoint(answered, share));
  for (const point of attemptPoints(share, answered.type)) dataset.writeDataPoint(point);
}
