/**
 * Per-isolate health of upstreams, and the ranking the scheduler uses (SPEC §2).
 *
 * The score is an expected cost in milliseconds, lower is better: a decaying
 * average of answer latency plus a penalty proportional to the recent failure
 * rate. The background tier asks every upstream on every miss, so the ranking
 * learns from real lookups without extra probes.
 *
 * Isolates are short-lived and many; this state is deliberately local and
 * cheap (no storage, no coordination). A fresh isolate ranks in config order
 * and has learnt the fast ones after its first miss.
 */
import type { Clock } from './clock';
import type { FanoutReport } from './scheduler';
import type { Upstream } from './types';

export interface HealthTuning {
  /** Weight of the newest latency sample in the decaying average (0..1]. */
  readonly latencyWeight: number;
  /** Weight of the newest outcome in the decaying failure rate (0..1]. */
  readonly failureWeight: number;
  /** Latency assumed for an upstream with no answer yet. */
  readonly neutralLatencyMs: number;
  /** Cost added at a failure rate of 1. */
  readonly failurePenaltyMs: number;
  /** How much a `CUT_OFF_AFTER_WINNER` counts, as a share of a real failure. */
  readonly cutOffShare: number;
  /** Consecutive failures after which an upstream cools down. */
  readonly coolDownAfter: number;
  /** First cool-down; each further consecutive failure doubles it. */
  readonly baseCoolDownMs: number;
  readonly maxCoolDownMs: number;
  /** Upstreams remembered per isolate; the least recently recorded is forgotten first. */
  readonly maxTracked: number;
}

export const DEFAULT_HEALTH_TUNING: HealthTuning = {
  // The newest answer weighs 30 %: the last ~6 lookups dominate (0.7^6 ≈ 12 %),
  // so an upstream that got slower is demoted within a few misses, while one
  // slow answer does not flip the ranking.
  latencyWeight: 0.3,
  // Same memory for failures: one failure is noticed at once, and it takes a
  // few good answers to earn the trust back.
  failureWeight: 0.3,
  // Between a nearby public DoH resolver (tens of ms) and a far or overloaded
  // one (several hundred): a newcomer ranks behind proven-fast upstreams and
  // ahead of slow or failing ones. Its first answer replaces this outright.
  neutralLatencyMs: 200,
  // One recent failure (rate 0.3 -> +300 ms) takes a fast upstream out of the
  // active tier: waiting for a SERVFAIL and then for the fallback timer costs
  // the client about that much.
  failurePenaltyMs: 1000,
  // Cut off by the deadline after another upstream already answered: it was
  // slow, not necessarily broken. Its elapsed time still feeds the latency
  // average (a lower bound of its real latency), which does most of the demoting.
  cutOffShare: 0.25,
  // Three in a row is a pattern, not a blip (one lost packet, one restart).
  coolDownAfter: 3,
  // Long enough to keep a failing upstream off the critical path for a burst
  // of lookups, short enough that a restarted resolver is back within a minute.
  baseCoolDownMs: 10_000,
  // A resolver that has been down for long still gets a second chance every few minutes.
  maxCoolDownMs: 300_000,
  // Far more upstreams than any tenant configures, small enough to never matter for memory.
  maxTracked: 512,
};

/**
 * `kind` for an attempt that was cut off (deadline or `abort()`) after another
 * upstream already gave a usable answer. Counts `cutOffShare` of a failure, and
 * neither extends nor resets a run of consecutive failures.
 */
export const CUT_OFF_AFTER_WINNER = 'cut-off-after-winner';

export interface HealthSample {
  readonly ok: boolean;
  /** Time from start to answer, failure, or cut-off. */
  readonly latencyMs: number;
  /** Failure kind (`UpstreamFailureKind`) or `CUT_OFF_AFTER_WINNER`. */
  readonly kind?: string;
}

export interface UpstreamHealthSnapshot {
  readonly name: string;
  /** Expected cost in ms, lower is better; what `rank` sorts by. */
  readonly score: number;
  /** Decaying latency average; null until the first answer. */
  readonly ewmaMs: number | null;
  /** Decaying failure rate, 0..1. */
  readonly failureRate: number;
  readonly successes: number;
  /** Real failures (cut-offs after a winner are counted separately). */
  readonly failures: number;
  readonly cutOffs: number;
  readonly consecutiveFailures: number;
  /** Clock time when the cool-down ends; null when not cooling down. */
  readonly coolingUntil: number | null;
}

interface Stats {
  ewmaMs: number | null;
  failureRate: number;
  successes: number;
  failures: number;
  cutOffs: number;
  consecutiveFailures: number;
  coolingUntil: number;
}

export class UpstreamHealth {
  private readonly stats = new Map<string, Stats>();
  private readonly tuning: HealthTuning;

  constructor(
    private readonly clock: Clock,
    tuning: Partial<HealthTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_HEALTH_TUNING, ...tuning };
  }

  /**
   * Learns from one attempt. Answers feed the latency average; so do timeouts
   * and cut-offs, as a lower bound of the real latency (it took at least that
   * long). Other failures do not: a fast REFUSED is not a fast upstream.
   */
  record(name: string, attempt: HealthSample): void {
    const t = this.tuning;
    const s = this.touch(name);
    if (attempt.ok) {
      s.successes++;
      s.consecutiveFailures = 0;
      s.ewmaMs = blend(s.ewmaMs, attempt.latencyMs, t.latencyWeight);
      s.failureRate = blend(s.failureRate, 0, t.failureWeight);
      return;
    }
    if (attempt.kind === CUT_OFF_AFTER_WINNER || attempt.kind === 'timeout') {
      const atLeast = Math.max(attempt.latencyMs, s.ewmaMs ?? 0);
      s.ewmaMs = blend(s.ewmaMs, atLeast, t.latencyWeight);
    }
    if (attempt.kind === CUT_OFF_AFTER_WINNER) {
      s.cutOffs++;
      s.failureRate = blend(s.failureRate, t.cutOffShare, t.failureWeight);
      return;
    }
    s.failures++;
    s.consecutiveFailures++;
    s.failureRate = blend(s.failureRate, 1, t.failureWeight);
    const beyond = s.consecutiveFailures - t.coolDownAfter;
    if (beyond >= 0) {
      // The cool-down is kept even if a background answer succeeds meanwhile:
      // it is a promise to keep a flapping upstream off the critical path for
      // that long; the answers still repair its score for when it ends.
      const coolDownMs = Math.min(t.baseCoolDownMs * 2 ** beyond, t.maxCoolDownMs);
      s.coolingUntil = Math.max(s.coolingUntil, this.clock.now() + coolDownMs);
    }
  }

  /**
   * Learns from a whole fan-out. A `timeout` with a winner is a cut-off (see
   * `CUT_OFF_AFTER_WINNER`); without a winner every upstream missed the
   * deadline and it counts fully. A caller that aborts a fan-out for reasons
   * that are not the upstreams' fault should not record it.
   */
  recordFanout(report: FanoutReport): void {
    for (const attempt of report.attempts) {
      const latencyMs = attempt.endedAt - attempt.startedAt;
      const { result } = attempt;
      if (result.ok) {
        this.record(attempt.upstream.name, { ok: true, latencyMs });
      } else {
        const cutOff = result.failure.kind === 'timeout' && report.winner !== null;
        const kind = cutOff ? CUT_OFF_AFTER_WINNER : result.failure.kind;
        this.record(attempt.upstream.name, { ok: false, latencyMs, kind });
      }
    }
  }

  /**
   * Best first, by score; ties keep the given (config) order. Upstreams cooling
   * down go to the end instead of being dropped: they stay out of the active
   * tier, but the background tier still measures them, so a recovered upstream
   * has a good score again by the time its cool-down ends.
   */
  rank(upstreams: readonly Upstream[]): Upstream[] {
    const now = this.clock.now();
    return upstreams
      .map((upstream, order) => {
        const s = this.stats.get(upstream.name);
        const cooling = s !== undefined && s.coolingUntil > now;
        return { upstream, order, cooling, score: this.scoreOf(s) };
      })
      .sort(
        (a, b) => Number(a.cooling) - Number(b.cooling) || a.score - b.score || a.order - b.order,
      )
      .map((entry) => entry.upstream);
  }

  /** For metrics and the admin API, best score first. */
  snapshot(): UpstreamHealthSnapshot[] {
    const now = this.clock.now();
    return [...this.stats]
      .map(([name, s]) => ({
        name,
        score: this.scoreOf(s),
        ewmaMs: s.ewmaMs,
        failureRate: s.failureRate,
        successes: s.successes,
        failures: s.failures,
        cutOffs: s.cutOffs,
        consecutiveFailures: s.consecutiveFailures,
        coolingUntil: s.coolingUntil > now ? s.coolingUntil : null,
      }))
      .sort((a, b) => a.score - b.score);
  }

  private scoreOf(s: Stats | undefined): number {
    const latency = s?.ewmaMs ?? this.tuning.neutralLatencyMs;
    return latency + this.tuning.failurePenaltyMs * (s?.failureRate ?? 0);
  }

  /** The stats of `name`, marked most recently used; forgets the oldest beyond `maxTracked`. */
  private touch(name: string): Stats {
    const s = this.stats.get(name) ?? {
      ewmaMs: null,
      failureRate: 0,
      successes: 0,
      failures: 0,
      cutOffs: 0,
      consecutiveFailures: 0,
      coolingUntil: Number.NEGATIVE_INFINITY,
    };
    this.stats.delete(name);
    this.stats.set(name, s);
    for (const oldest of this.stats.keys()) {
      if (this.stats.size <= this.tuning.maxTracked) break;
      this.stats.delete(oldest);
    }
    return s;
  }
}

/** Exponentially weighted moving average; the first sample is taken as is. */
function blend(average: number | null, sample: number, weight: number): number {
  return average === null ? sample : average + weight * (sample - average);
}
