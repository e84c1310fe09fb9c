/**
 * Creates the request's phase recorder (observability/phase-timing.ts) and,
 * once the route has answered, writes every phase into `Server-Timing`
 * (docs/operations.md §5), after the cache status and before Hono's `total`.
 */
import type { MiddlewareHandler } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from '../app-env';
import { PHASES, PhaseTimer } from '../observability/phase-timing';

/** Hundredths of a millisecond: enough for the bench's means, below any clock here. */
const PHASE_PRECISION = 2;

export function phaseMetrics(): MiddlewareHandler<AppEnv> {
  return async function phaseMetrics(c, next) {
    const phases = new PhaseTimer();
    c.set('phases', phases);
    await next();
    const durations = phases.durations();
    for (const phase of PHASES) {
      setMetric(c, phase, durations[phase], phases.description(phase), PHASE_PRECISION);
    }
  };
}
