/**
 * The fan-out scheduler (docs/architecture.md §2): which upstream is asked when, and which
 * answer the client gets. Pure: the transport (`exchange`) and the time
 * (`clock`) are arguments, so tests drive every timeline to the millisecond.
 *
 * Timeline, tiered, 5 upstreams, u1/u2 answering in 50 ms:
 * `t=0 u1,u2` · `t=50 first usable; u3,u4` · `t=100 u5`.
 */
import type { Clock } from './clock';
import { FanoutRun } from './fanout-run';
import { type FanoutSettings, fanoutSettingsProblems } from './fanout-settings';
import type { Exchange, ExchangeResult, Upstream } from './types';

export {
  DEFAULT_FANOUT_SETTINGS,
  type FanoutMode,
  type FanoutSettings,
  fanoutSettingsProblems,
} from './fanout-settings';

/** One upstream asked once. Offsets are ms from the fan-out's start. */
export interface UpstreamAttempt {
  readonly upstream: Upstream;
  /**
   * `active`: on the client's critical path (the active tier; every attempt in
   * `parallel` and `sequential` mode). `background`: started for the pool only.
   */
  readonly tier: 'active' | 'background';
  readonly startedAt: number;
  readonly endedAt: number;
  /** An attempt cut off by the deadline or `abort()` ends with a `timeout` failure. */
  readonly result: ExchangeResult;
}

export interface FanoutReport {
  /** Clock reading when the fan-out started; attempt offsets count from here. */
  readonly startedAt: number;
  /** In start order. */
  readonly attempts: readonly UpstreamAttempt[];
  /** The first attempt with a usable answer, or null. */
  readonly winner: UpstreamAttempt | null;
  /** Upstreams never asked: skipped at the deadline or `abort()`, or not needed (`sequential`). */
  readonly notStarted: readonly Upstream[];
}

export interface Fanout {
  /** The first usable answer; null once every upstream failed, the deadline passed or `abort()` ran. */
  readonly firstUsable: Promise<UpstreamAttempt | null>;
  /** Resolves (never rejects) when no attempt is open and none remains to start. */
  readonly settled: Promise<FanoutReport>;
  /** Ends the fan-out now: open attempts are aborted, nothing else starts. Idempotent. */
  abort(reason?: string): void;
}

export interface FanoutInput {
  /** Already ranked, best first (see `ScopedHealth.plan`). Duplicate URLs or names are asked once. */
  readonly upstreams: readonly Upstream[];
  readonly query: Uint8Array;
  readonly exchange: Exchange;
  readonly settings: FanoutSettings;
  readonly clock: Clock;
  /**
   * Tiered mode: whether this fan-out may sweep, i.e. run its background tier
   * past the first usable answer (the pool's sweep lease, docs/architecture.md §4).
   * The background tier waits for it; `false` turns the tier into failover
   * only: it still runs while no usable answer has arrived, and starts
   * nothing once one has. Absent: the fan-out sweeps. Never rejects (a
   * rejection counts as `true`: a pool that cannot answer never costs
   * completeness).
   */
  readonly sweep?: Promise<boolean>;
}

/**
 * Starts asking upstreams for one query according to `settings.mode`:
 *
 * - `tiered`: the active tier at t=0; the background tier, in staggered
 *   batches under `maxInflight`, from the first usable answer, the fallback
 *   timer, or the failure of the whole active tier, whichever comes first.
 * - `parallel`: everyone at t=0, up to PLATFORM_CONNECTION_LIMIT (6) open at
 *   once; the rest start as slots free. `maxInflight` does not apply: this is
 *   the all-at-once baseline the benchmark compares against.
 * - `sequential`: one at a time in rank order; the next starts when the
 *   previous fails or has been silent for `fallbackMs` (then it is aborted:
 *   the per-try timeout of classic failover), the first usable answer ends
 *   the run (the rest end up in `notStarted`).
 *
 * In every mode each upstream (URL) is asked at most once, failures never win, and
 * at the deadline every open attempt is aborted and nothing else starts.
 *
 * Throws a RangeError for settings that `fanoutSettingsProblems` rejects: that
 * is a configuration bug, caught when the config is loaded, never per query.
 */
export function startFanout(input: FanoutInput): Fanout {
  const problems = fanoutSettingsProblems(input.settings);
  if (problems.length > 0) {
    throw new RangeError(`invalid fan-out settings: ${problems.join('; ')}`);
  }
  const run = new FanoutRun(input);
  run.begin();
  return {
    firstUsable: run.firstUsable,
    settled: run.settled,
    abort: (reason) =>
      run.stop(`aborted${reason === undefined ? '' : `: ${reason}`}`, 'AbortError'),
  };
}
