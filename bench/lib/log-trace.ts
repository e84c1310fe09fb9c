/**
 * A query log line as the `Trace` that `src/observability/trace-svg.ts`
 * draws, so the bench's timelines are the worker's own picture of a lookup.
 */
import type { Trace } from '../../src/observability/trace-store';
import type { QueryLogLine } from './worker-process';

/**
 * The log carries no trace id, start time, failure reasons or per-upstream
 * record counts: those stay empty (the bench draws its own subtitle in place of them).
 */
export function traceOfLog(log: QueryLogLine): Trace {
  const answer = log.upstreams.find((u) => u.upstream === log.winner && u.outcome === 'ok');
  return {
    id: '',
    tenant: log.tenant ?? '',
    generation: null,
    name: log.name,
    type: log.type,
    startedAt: '',
    answeredAtMs: answer?.end ?? null,
    winner: log.winner,
    attempts: log.upstreams.map(({ upstream, tier, start, end, outcome }) => ({
      upstream,
      tier,
      startMs: start,
      endMs: end,
      outcome,
      reason: null,
      records: 0,
    })),
    notStarted: log.notStarted,
    mergeSize: log.mergeSize,
    write: log.write ?? null,
    version: log.version ?? '',
    poolVersion: log.poolVersion ?? null,
  };
}
