/**
 * The state of one fan-out: which upstreams wait, which are open, which timers
 * are pending. `startFanout` is the public face; this class keeps the rules
 * that every mode shares (each upstream asked at most once, the deadline,
 * `abort()`, no timer outliving the run) in one place, and the three modes
 * only decide what to launch next.
 */
import type { Clock, TimerHandle } from './clock';
import { PLATFORM_CONNECTION_LIMIT } from './fanout-settings';
import type { FanoutInput, FanoutReport, UpstreamAttempt } from './scheduler';
import type { ExchangeResult, Upstream } from './types';

type Tier = UpstreamAttempt['tier'];

interface OpenAttempt {
  readonly upstream: Upstream;
  readonly tier: Tier;
  readonly startedAt: number;
  readonly controller: AbortController;
  /** Position in start order, where the finished attempt is stored. */
  readonly index: number;
}

export class FanoutRun {
  readonly firstUsable: Promise<UpstreamAttempt | null>;
  readonly settled: Promise<FanoutReport>;

  private readonly clock: Clock;
  private readonly input: FanoutInput;
  private readonly startedAt: number;
  /** Upstreams not yet asked, best first. */
  private readonly waiting: Upstream[];
  private readonly open = new Set<OpenAttempt>();
  private readonly finished: UpstreamAttempt[] = [];
  private readonly timers = new Set<TimerHandle>();
  private started = 0;
  private winner: UpstreamAttempt | null = null;
  private ended = false;
  private notStarted: readonly Upstream[] = [];

  // Tiered mode only.
  private activeTierLeft = 0;
  private backgroundStarted = false;
  private fallbackTimer: TimerHandle | null = null;
  /** Members of the current background batch still waiting for a free slot. */
  private batchLeft = 0;
  /** The sweep decision (FanoutInput.sweep): null while it is awaited. */
  private sweepAllowed: boolean | null = true;
  /** The background was due while the sweep decision was still awaited. */
  private backgroundDue = false;

  private resolveFirstUsable: (attempt: UpstreamAttempt | null) => void = () => {};
  private resolveSettled: (report: FanoutReport) => void = () => {};

  constructor(input: FanoutInput) {
    this.input = input;
    this.clock = input.clock;
    this.startedAt = input.clock.now();
    this.waiting = uniqueByUrl(input.upstreams);
    this.firstUsable = new Promise((resolve) => {
      this.resolveFirstUsable = resolve;
    });
    this.settled = new Promise((resolve) => {
      this.resolveSettled = resolve;
    });
  }

  begin(): void {
    const { settings, sweep } = this.input;
    if (sweep !== undefined && settings.mode === 'tiered') {
      this.sweepAllowed = null;
      void sweep.then(
        (allowed) => this.onSweepDecision(allowed),
        () => this.onSweepDecision(true),
      );
    }
    this.schedule(settings.deadlineMs, () =>
      this.stop(`deadline of ${settings.deadlineMs} ms passed`, 'TimeoutError'),
    );
    switch (settings.mode) {
      case 'parallel':
        this.fillParallel();
        break;
      case 'sequential':
        this.launchNext('active');
        break;
      case 'tiered':
        this.activeTierLeft = Math.min(settings.activeTierSize, this.waiting.length);
        for (let i = 0; i < this.activeTierLeft; i++) this.launchNext('active');
        if (this.waiting.length > 0) {
          this.fallbackTimer = this.schedule(settings.fallbackMs, () => this.startBackground());
        }
        break;
    }
    this.endIfDone();
  }

  /**
   * Ends the run now: open attempts fail with `timeout` (their signals fire with
   * a DOMException named `errorName`), waiting upstreams are skipped.
   */
  stop(reason: string, errorName: 'TimeoutError' | 'AbortError'): void {
    if (this.ended) return;
    const message = `${reason} before an answer`;
    for (const attempt of [...this.open]) {
      this.finish(attempt, { ok: false, failure: { kind: 'timeout', message } });
      // After finish(): a transport that settles synchronously on abort is ignored.
      attempt.controller.abort(new DOMException(message, errorName));
    }
    this.notStarted = this.waiting.splice(0);
    this.endIfDone();
  }

  private launchNext(tier: Tier): void {
    if (this.ended) return;
    const upstream = this.waiting.shift();
    if (upstream === undefined) return;
    const attempt: OpenAttempt = {
      upstream,
      tier,
      startedAt: this.offset(),
      controller: new AbortController(),
      index: this.started++,
    };
    this.open.add(attempt);
    if (this.input.settings.mode === 'sequential' && this.waiting.length > 0) {
      this.schedule(this.input.settings.fallbackMs, () => this.giveUp(attempt));
    }
    let pending: Promise<ExchangeResult>;
    try {
      pending = Promise.resolve(
        this.input.exchange(upstream, this.input.query, attempt.controller.signal),
      );
    } catch (error) {
      pending = Promise.resolve(thrownFailure(error));
    }
    // Both branches only record; neither can throw, so nothing goes unhandled.
    void pending.then(
      (result) => this.onResult(attempt, result),
      (error: unknown) => this.onResult(attempt, thrownFailure(error)),
    );
  }

  private onResult(attempt: OpenAttempt, result: ExchangeResult): void {
    if (!this.open.has(attempt)) return; // already cut off by the deadline or abort()
    const done = this.finish(attempt, result);
    switch (this.input.settings.mode) {
      case 'sequential':
        if (done.result.ok) this.notStarted = this.waiting.splice(0);
        else this.launchNext('active');
        break;
      case 'tiered':
        if (attempt.tier === 'active') this.activeTierLeft--;
        // An answer or an all-failed active tier starts the background at once;
        // an answer needs no check of the others (failures never win).
        if (done.result.ok || this.activeTierLeft === 0) this.startBackground();
        else this.fillBatch();
        break;
      case 'parallel':
        this.fillParallel();
        break;
    }
    this.endIfDone();
  }

  /** Parallel mode: everyone at once, as far as the platform's connections allow. */
  private fillParallel(): void {
    while (this.waiting.length > 0 && this.open.size < PLATFORM_CONNECTION_LIMIT && !this.ended) {
      this.launchNext('active');
    }
  }

  /**
   * Sequential mode's per-try timeout: an upstream silent for `fallbackMs`
   * fails with `timeout` and the next one is asked, as stub resolvers fail
   * over. Without it one hung upstream would hold the lookup to the deadline.
   */
  private giveUp(attempt: OpenAttempt): void {
    if (!this.open.has(attempt)) return;
    const message = `no answer within ${this.input.settings.fallbackMs} ms`;
    this.finish(attempt, { ok: false, failure: { kind: 'timeout', message } });
    attempt.controller.abort(new DOMException(message, 'TimeoutError'));
    this.launchNext('active');
    this.endIfDone();
  }

  private finish(attempt: OpenAttempt, result: ExchangeResult): UpstreamAttempt {
    this.open.delete(attempt);
    const done: UpstreamAttempt = {
      upstream: attempt.upstream,
      tier: attempt.tier,
      startedAt: attempt.startedAt,
      endedAt: this.offset(),
      result,
    };
    this.finished[attempt.index] = done;
    if (result.ok && this.winner === null) {
      this.winner = done;
      this.resolveFirstUsable(done);
      // Failover without a sweep ends with the first answer.
      if (this.sweepAllowed === false) this.skipSweep();
    }
    return done;
  }

  private onSweepDecision(allowed: boolean): void {
    if (this.ended || this.sweepAllowed !== null) return;
    this.sweepAllowed = allowed;
    if (!allowed && this.winner !== null) this.skipSweep();
    else if (this.backgroundDue) this.startBackground();
    this.endIfDone();
  }

  /** No sweep and an answer is in: the upstreams still waiting are not asked. */
  private skipSweep(): void {
    this.batchLeft = 0;
    this.notStarted = [...this.notStarted, ...this.waiting.splice(0)];
  }

  private startBackground(): void {
    if (this.sweepAllowed === null) {
      // The sweep decision is still on its way: start when it arrives.
      this.backgroundDue = true;
      return;
    }
    if (this.sweepAllowed === false && this.winner !== null) {
      this.skipSweep();
      return;
    }
    if (this.backgroundStarted || this.ended) {
      this.fillBatch();
      return;
    }
    this.backgroundStarted = true;
    if (this.fallbackTimer !== null) this.cancel(this.fallbackTimer);
    this.fallbackTimer = null;
    this.nextBatch();
  }

  private nextBatch(): void {
    this.batchLeft = Math.min(this.input.settings.batchSize, this.waiting.length);
    this.fillBatch();
  }

  /** Starts waiting members of the current batch while slots are free. */
  private fillBatch(): void {
    const { maxInflight, staggerMs } = this.input.settings;
    while (this.batchLeft > 0 && this.open.size < maxInflight && !this.ended) {
      this.launchNext('background');
      this.batchLeft--;
      if (this.batchLeft > 0 || this.waiting.length === 0) continue;
      // The batch is out: the gap to the next counts from now, not from when it was due.
      if (staggerMs > 0) this.schedule(staggerMs, () => this.nextBatch());
      else this.batchLeft = Math.min(this.input.settings.batchSize, this.waiting.length);
    }
  }

  private endIfDone(): void {
    if (this.ended || this.open.size > 0 || this.waiting.length > 0) return;
    this.ended = true;
    for (const timer of this.timers) this.clock.clearTimeout(timer);
    this.timers.clear();
    this.resolveFirstUsable(this.winner);
    this.resolveSettled({
      startedAt: this.startedAt,
      attempts: this.finished,
      winner: this.winner,
      notStarted: this.notStarted,
    });
  }

  private schedule(ms: number, fn: () => void): TimerHandle {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (!this.ended) fn();
    }, ms);
    this.timers.add(timer);
    return timer;
  }

  private cancel(timer: TimerHandle): void {
    this.clock.clearTimeout(timer);
    this.timers.delete(timer);
  }

  private offset(): number {
    return this.clock.now() - this.startedAt;
  }
}

/** An exchange that throws despite its contract counts as a network failure. */
function thrownFailure(error: unknown): ExchangeResult {
  const message = error instanceof Error ? error.message : String(error);
  return { ok: false, failure: { kind: 'network', message: `exchange threw: ${message}` } };
}

/**
 * Keeps the first (best-ranked) of upstreams sharing a URL or a name: each
 * resolver is asked at most once, however many names a config gives it, and
 * each name (logs, metrics) stands for one attempt.
 */
function uniqueByUrl(upstreams: readonly Upstream[]): Upstream[] {
  const seen = new Set<string>();
  return upstreams.filter((upstream) => {
    const keys = [`url ${upstream.url}`, `name ${upstream.name}`];
    if (keys.some((key) => seen.has(key))) return false;
    for (const key of keys) seen.add(key);
    return true;
  });
}
