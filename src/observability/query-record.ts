/**
 * Where one answered client query is accounted for, once its fan-out (if it
 * started one) has finished: its log line and its fleet data points. The
 * per-isolate Prometheus counters and traces are fed elsewhere (the route
 * and the flight), because they need no waiting.
 */
import type { FanoutShare } from '../resolver/resolver';
import type { AnsweredQuery } from './answered-query';
import { writeFleetPoints } from './fleet-metrics';
import { queryLog } from './query-log';

export interface QuerySinks {
  /** The Analytics Engine binding; absent (tests, local dev): no fleet points. */
  readonly dataset: AnalyticsEngineDataset | undefined;
  /** Share of plain cache hits that are logged, 0..1 (LOG_HIT_SAMPLE_RATE). */
  readonly hitLogSampleRate: number;
  /** Uniform in [0, 1); decides which hits are logged. */
  readonly random: () => number;
  /** Writes one log line; workerd forwards console.log to `wrangler tail` / Logpush. */
  readonly log: (line: string) => void;
}

/**
 * Logs the query (a hit that started no fan-out only if sampled: hits are
 * most of the traffic and the least interesting line) and writes its fleet
 * points (every query: Analytics Engine samples on its own, and the hit
 * ratio needs every hit). Never throws: accounting must not cost an answer.
 */
export function recordQuery(sinks: QuerySinks, answered: AnsweredQuery, share: FanoutShare): void {
  const plainHit = answered.cache === 'hit' && share.kind !== 'started';
  if (!plainHit || sinks.random() < sinks.hitLogSampleRate) {
    sinks.log(JSON.stringify(queryLog(answered, share)));
  }
  if (!sinks.dataset) return;
  try {
    writeFleetPoints(sinks.dataset, answered, share);
  } catch (error) {
    console.error(JSON.stringify({ event: 'fleet-metrics-error', error: String(error) }));
  }
}
