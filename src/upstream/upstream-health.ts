/**
 * Per-isolate health of upstreams, and the ranking the scheduler uses (docs/architecture.md §2).
 *
 * The score is an expected cost in milliseconds, lower is better: a decaying
 * average of answer latency plus a penalty proportional to the recent failure
 * rate. The background tier asks every upstream on every miss, so the ranking
 * learns from real lookups without extra probes.
 *
 * Isolates are short-lived and many; this state is deliberately local and
 * cheap (no storage, no coordination). What an isolate learnt of a scope can
 * be exported as a small snapshot (`shareSnapshot`) and seeded into another
 * isolate that has not learnt it yet (`adopt`): colo-health-share.ts passes
 * them through the colo's cache, so a fresh isolate does not start from config
 * order. Without a snapshot it has learnt the fast ones after its first miss.
 *
 * Stats are kept per (tenant scope, upstream URL), never per name: names are
 * chosen by tenants, so a tenant that calls its dead upstream `cloudflare`
 * must not move the ranking of anyone else's `cloudflare` (docs/architecture.md §2, §8).
 */
import type { Clock } from './clock';
import {
  HEALTH_SNAPSHOT_MAX_AGE_MS,
  HEALTH_SNAPSHOT_VERSION,
  type HealthSnapshot,
  MAX_HEALTH_SNAPSHOT_UPSTREAMS,
  MAX_SHARED_URL_LENGTH,
  parseHealthSnapshot,
  type SharedUpstreamHealth,
} from './health-snapshot';
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
  /** Consecutive failures (timeouts included, whoever won) after which an upstream cools down. */
  readonly coolDownAfter: number;
  /**
   * While cooling down an upstream is asked by no tier, except one probe (in
   * the background tier) per this period, so a recovery is noticed before a
   * long cool-down ends.
   */
  readonly probeIntervalMs: number;
  /** First cool-down; each further consecutive failure doubles it. */
  readonly baseCoolDownMs: number;
  readonly maxCoolDownMs: number;
  /** Upstreams remembered per isolate; the least recently recorded is forgotten first. */
  readonly maxTracked: number;
  /** Estimated bytes of what is remembered (keys carry tenant-chosen URLs); same eviction. */
  readonly maxTrackedBytes: number;
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
  // The first cool-down ends before its probe is due; a longer one is probed
  // as often as the first one would have been retried: one request per 10 s
  // per isolate is nothing for an upstream, and an answer ends the cool-down.
  probeIntervalMs: 10_000,
  // (tenant, upstream) pairs: 10 upstreams for each of ~200 busy tenants of one
  // isolate; each entry is a key of at most ~2 KB (URL) and a few numbers.
  maxTracked: 2_048,
  // Typical entries are ~500 bytes; a URL can be long, so bytes are bounded too.
  maxTrackedBytes: 2 * 1024 * 1024,
};

/**
 * `kind` for an attempt that was cut off (deadline or `abort()`) after another
 * upstream already gave a usable answer. Counts `cutOffShare` of a failure in
 * the score, but extends a run of consecutive failures like any timeout: an
 * upstream that hangs holds one of the few in-flight slots until the deadline
 * on every miss, whoever answered the client.
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
  /** The tenant scope the stats belong to. */
  readonly scope: string;
  readonly name: string;
  readonly url: string;
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
  /** Estimated bytes of the entry (key, names and numbers). */
  readonly bytes: number;
  readonly scope: string;
  /** The name the upstream had when last recorded (for snapshots only). */
  name: string;
  readonly url: string;
  ewmaMs: number | null;
  failureRate: number;
  successes: number;
  failures: number;
  cutOffs: number;
  consecutiveFailures: number;
  coolingUntil: number;
  /** While cooling: when the next probe may go out. */
  nextProbeAt: number;
  /** When the figures were last updated (adopted ones: when their source measured them). */
  updatedAt: number;
}

/** One tenant's view: what its fan-outs ask and learn from. */
export interface ScopedHealth {
  /**
   * The upstreams one fan-out asks, best first: those cooling down are left
   * out, except each one whose probe is due, placed last (the background
   * tier). Taking a probe claims it, so concurrent fan-outs do not all probe.
   * When every upstream is cooling down they are all asked, ranked: a
   * fan-out with nobody to ask could only fail.
   */
  plan(upstreams: readonly Upstream[]): Upstream[];
  /** Best first, cooling ones last; no side effects (inspection, tests). */
  rank(upstreams: readonly Upstream[]): Upstream[];
  record(upstream: Upstream, sample: HealthSample): void;
  recordFanout(report: FanoutReport): void;
  /** This scope's stats, best score first. */
  snapshot(): UpstreamHealthSnapshot[];
}

export class UpstreamHealth {
  private readonly stats = new Map<string, Stats>();
  private trackedBytes = 0;
  private readonly tuning: HealthTuning;

  constructor(
    private readonly clock: Clock,
    tuning: Partial<HealthTuning> = {},
  ) {
    this.tuning = { ...DEFAULT_HEALTH_TUNING, ...tuning };
  }

  /** The health of `scope`'s upstreams (the resolver's tenant scope string). */
  scoped(scope: string): ScopedHealth {
    return {
      plan: (upstreams) => this.plan(scope, upstreams),
      rank: (upstreams) => this.rank(scope, upstreams),
      record: (upstream, sample) => this.record(scope, upstream, sample),
      recordFanout: (report) => this.recordFanout(scope, report),
      snapshot: () => this.snapshot().filter((s) => s.scope === scope),
    };
  }

  /**
   * Learns from one attempt. Answers feed the latency average; so do timeouts
   * and cut-offs, as a lower bound of the real latency (it took at least that
   * long). Other failures do not: a fast REFUSED is not a fast upstream.
   */
  record(scope: string, upstream: Upstream, attempt: HealthSample): void {
    const t = this.tuning;
    const s = this.touch(scope, upstream.url, upstream.name);
    s.updatedAt = this.clock.now();
    if (attempt.ok) {
      s.successes++;
      s.consecutiveFailures = 0;
      s.ewmaMs = blend(s.ewmaMs, attempt.latencyMs, t.latencyWeight);
      s.failureRate = blend(s.failureRate, 0, t.failureWeight);
      // An answer while cooling down is a probe that found it back: it is asked
      // again, and the failure penalty it still carries keeps it out of the
      // active tier until it has earned the trust back.
      s.coolingUntil = Number.NEGATIVE_INFINITY;
      return;
    }
    if (attempt.kind === CUT_OFF_AFTER_WINNER || attempt.kind === 'timeout') {
      const atLeast = Math.max(attempt.latencyMs, s.ewmaMs ?? 0);
      s.ewmaMs = blend(s.ewmaMs, atLeast, t.latencyWeight);
    }
    if (attempt.kind === CUT_OFF_AFTER_WINNER) {
      s.cutOffs++;
      s.failureRate = blend(s.failureRate, t.cutOffShare, t.failureWeight);
    } else {
      s.failures++;
      s.failureRate = blend(s.failureRate, 1, t.failureWeight);
    }
    s.consecutiveFailures++;
    const beyond = s.consecutiveFailures - t.coolDownAfter;
    if (beyond >= 0) {
      const now = this.clock.now();
      const coolDownMs = Math.min(t.baseCoolDownMs * 2 ** beyond, t.maxCoolDownMs);
      s.coolingUntil = Math.max(s.coolingUntil, now + coolDownMs);
      s.nextProbeAt = now + t.probeIntervalMs;
    }
  }

  /**
   * Learns from a whole fan-out. A `timeout` with a winner is a cut-off (see
   * `CUT_OFF_AFTER_WINNER`); without a winner every upstream missed the
   * deadline and it counts fully. A caller that aborts a fan-out for reasons
   * that are not the upstreams' fault should not record it.
   */
  recordFanout(scope: string, report: FanoutReport): void {
    for (const attempt of report.attempts) {
      const latencyMs = attempt.endedAt - attempt.startedAt;
      const { result } = attempt;
      if (result.ok) {
        this.record(scope, attempt.upstream, { ok: true, latencyMs });
      } else {
        const cutOff = result.failure.kind === 'timeout' && report.winner !== null;
        const kind = cutOff ? CUT_OFF_AFTER_WINNER : result.failure.kind;
        this.record(scope, attempt.upstream, { ok: false, latencyMs, kind });
      }
    }
  }

  /** See `ScopedHealth.plan`. */
  plan(scope: string, upstreams: readonly Upstream[]): Upstream[] {
    const now = this.clock.now();
    const ranked = this.ranked(scope, upstreams, now);
    const asked = ranked.filter((entry) => !entry.cooling);
    if (asked.length === 0) return ranked.map((entry) => entry.upstream);
    for (const entry of ranked) {
      if (!entry.cooling || entry.stats === undefined || entry.stats.nextProbeAt > now) continue;
      entry.stats.nextProbeAt = now + this.tuning.probeIntervalMs;
      asked.push(entry);
    }
    return asked.map((entry) => entry.upstream);
  }

  /** See `ScopedHealth.rank`. */
  rank(scope: string, upstreams: readonly Upstream[]): Upstream[] {
    return this.ranked(scope, upstreams, this.clock.now()).map((entry) => entry.upstream);
  }

  /** For metrics and the admin API, best score first. */
  snapshot(): UpstreamHealthSnapshot[] {
    const now = this.clock.now();
    return [...this.stats.values()]
      .map((s) => ({
        scope: s.scope,
        name: s.name,
        url: s.url,
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

  /**
   * What this isolate knows of `scope`'s upstreams, for another isolate to
   * `adopt`: the figures ranking uses, times relative to `now`, the most
   * recently measured first, at most MAX_HEALTH_SNAPSHOT_UPSTREAMS.
   */
  shareSnapshot(scope: string, now: number): HealthSnapshot {
    const upstreams: SharedUpstreamHealth[] = [];
    for (const s of this.stats.values()) {
      if (s.scope !== scope || s.url.length > MAX_SHARED_URL_LENGTH) continue;
      upstreams.push({
        url: s.url,
        name: s.name,
        ewmaMs: s.ewmaMs,
        failureRate: s.failureRate,
        consecutiveFailures: s.consecutiveFailures,
        coolingMs: Math.max(0, s.coolingUntil - now),
        ageMs: Math.max(0, now - s.updatedAt),
      });
    }
    upstreams.sort((a, b) => a.ageMs - b.ageMs);
    return {
      v: HEALTH_SNAPSHOT_VERSION,
      takenAt: now,
      upstreams: upstreams.slice(0, MAX_HEALTH_SNAPSHOT_UPSTREAMS),
    };
  }

  /**
   * Seeds `scope` from another isolate's snapshot (`shareSnapshot`), read from
   * outside and validated here: an off-shape snapshot is ignored whole. Only
   * upstreams this isolate has no figures for are seeded, so what it learnt
   * itself is never overwritten; figures older than HEALTH_SNAPSHOT_MAX_AGE_MS
   * (counting the time since the snapshot was taken) are ignored. A cool-down
   * keeps what is left of it. Returns how many upstreams were seeded.
   */
  adopt(scope: string, snapshot: unknown, now: number): number {
    const valid = parseHealthSnapshot(snapshot);
    if (valid === null) return 0;
    // A writer whose clock runs ahead would make the snapshot look younger than
    // it is; never by more than the skew, and never negative.
    const sinceTaken = Math.max(0, now - valid.takenAt);
    let seeded = 0;
    for (const shared of valid.upstreams) {
      const ageMs = shared.ageMs + sinceTaken;
      if (ageMs > HEALTH_SNAPSHOT_MAX_AGE_MS) continue;
      if (this.stats.has(statsKey(scope, shared))) continue;
      const s = this.touch(scope, shared.url, shared.name);
      s.ewmaMs = shared.ewmaMs;
      s.failureRate = shared.failureRate;
      s.consecutiveFailures = shared.consecutiveFailures;
      s.updatedAt = now - ageMs;
      const coolingLeft = Math.min(shared.coolingMs - sinceTaken, this.tuning.maxCoolDownMs);
      if (coolingLeft > 0) {
        s.coolingUntil = now + coolingLeft;
        // As after a cool-down of its own: this isolate probes it once per period.
        s.nextProbeAt = now + this.tuning.probeIntervalMs;
      }
      seeded++;
    }
    return seeded;
  }

  /** Best first, by score; cooling ones last; ties keep the given (config) order. */
  private ranked(scope: string, upstreams: readonly Upstream[], now: number) {
    return upstreams
      .map((upstream, order) => {
        const stats = this.stats.get(statsKey(scope, upstream));
        const cooling = stats !== undefined && stats.coolingUntil > now;
        return { upstream, order, cooling, stats, score: this.scoreOf(stats) };
      })
      .sort(
        (a, b) => Number(a.cooling) - Number(b.cooling) || a.score - b.score || a.order - b.order,
      );
  }

  private scoreOf(s: Stats | undefined): number {
    const latency = s?.ewmaMs ?? this.tuning.neutralLatencyMs;
    return latency + this.tuning.failurePenaltyMs * (s?.failureRate ?? 0);
  }

  /** The stats of the pair, marked most recently used; forgets the oldest beyond `maxTracked`. */
  private touch(scope: string, url: string, name: string): Stats {
    const key = statsKey(scope, { url });
    const known = this.stats.get(key);
    const s = known ?? {
      // UTF-16 key (twice: map key and fields), plus the object with its numbers.
      bytes: 4 * key.length + 2 * name.length + STATS_OVERHEAD_BYTES,
      scope,
      name,
      url,
      ewmaMs: null,
      failureRate: 0,
      successes: 0,
      failures: 0,
      cutOffs: 0,
      consecutiveFailures: 0,
      coolingUntil: Number.NEGATIVE_INFINITY,
      nextProbeAt: Number.NEGATIVE_INFINITY,
      updatedAt: Number.NEGATIVE_INFINITY,
    };
    s.name = name;
    if (known) this.stats.delete(key);
    else this.trackedBytes += s.bytes;
    this.stats.set(key, s);
    for (const [oldest, stats] of this.stats) {
      const { maxTracked, maxTrackedBytes } = this.tuning;
      if (this.stats.size <= maxTracked && this.trackedBytes <= maxTrackedBytes) break;
      if (oldest === key) break; // the entry being recorded always stays
      this.stats.delete(oldest);
      this.trackedBytes -= stats.bytes;
    }
    return s;
  }
}

/** The fixed part of one entry: the object, its numbers and the map slot. */
const STATS_OVERHEAD_BYTES = 256;

/** Scope strings and URLs never contain a newline: an unambiguous separator. */
function statsKey(scope: string, upstream: Pick<Upstream, 'url'>): string {
  return `${scope}\n${upstream.url}`;
}

/** Exponentially weighted moving average; the first sample is taken as is. */
function blend(average: number | null, sample: number, weight: number): number {
  return average === null ? sample : average + weight * (sample - average);
}
