/**
 * A clock the test moves by hand, and fake upstreams that answer on it.
 *
 * Fakes are the exception in this project (integration tests use real DNS
 * servers on loopback); they are here only because the scheduler's rules are
 * about exact milliseconds, which no real socket can promise.
 */
import type { Clock, TimerHandle } from '../../src/upstream/clock';
import type { Exchange, ExchangeResult, Upstream } from '../../src/upstream/types';

/**
 * Microtask turns to run after each timer. A fake answer reaches the test
 * through a handful of chained promises (fake -> scheduler -> firstUsable ->
 * test); 50 turns is far more than any chain here and costs nothing.
 */
const MICROTASK_TURNS = 50;

/** Guard against a timer that keeps rescheduling itself forever. */
const MAX_TIMERS_PER_RUN = 100_000;

/** Lets every promise callback that is ready run, without letting real time pass. */
export async function flushMicrotasks(): Promise<void> {
  for (let i = 0; i < MICROTASK_TURNS; i++) await Promise.resolve();
}

class ManualTimer {
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

export class ManualClock implements Clock {
  private current: number;
  private seq = 0;
  private readonly timers = new Set<ManualTimer>();

  /** Starts at an arbitrary non-zero epoch so code that confuses offsets with times shows up. */
  constructor(start = 1_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // Like the platform: a negative or NaN delay means "as soon as possible".
    const delay = Number.isFinite(ms) && ms > 0 ? ms : 0;
    const timer = new ManualTimer(this.current + delay, this.seq++, fn);
    this.timers.add(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    if (handle instanceof ManualTimer) this.timers.delete(handle);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in time order, settling promises after each. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  async advanceTo(time: number): Promise<void> {
    await flushMicrotasks();
    let fired = 0;
    for (let timer = this.nextDue(time); timer !== undefined; timer = this.nextDue(time)) {
      if (++fired > MAX_TIMERS_PER_RUN) throw new Error('manual clock: timers never stop');
      this.timers.delete(timer);
      this.current = Math.max(this.current, timer.at);
      timer.fn();
      await flushMicrotasks();
    }
    this.current = Math.max(this.current, time);
  }

  /** Fires timers until none is left, however far ahead they are. */
  async runUntilIdle(): Promise<void> {
    await flushMicrotasks();
    for (let timer = this.earliest(); timer !== undefined; timer = this.earliest()) {
      await this.advanceTo(timer.at);
    }
  }

  private nextDue(time: number): ManualTimer | undefined {
    const timer = this.earliest();
    return timer !== undefined && timer.at <= time ? timer : undefined;
  }

  private earliest(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (
        best === undefined ||
        timer.at < best.at ||
        (timer.at === best.at && timer.seq < best.seq)
      ) {
        best = timer;
      }
    }
    return best;
  }
}

/**
 * What a fake upstream does: `ok` answers, `servfail`/`refused` fail after
 * `latencyMs`, `never` hangs until aborted, `throw` breaks the Exchange
 * contract by throwing synchronously, `reject` by rejecting after `latencyMs`.
 */
export type FakeOutcome = 'ok' | 'servfail' | 'refused' | 'never' | 'throw' | 'reject';

export interface FakeBehaviour {
  readonly latencyMs: number;
  readonly result: FakeOutcome;
}

export function fakeUpstream(name: string): Upstream {
  return {
    name,
    url: `https://${name}.test/dns-query`,
    scheme: 'https',
    hostname: `${name}.test`,
    port: 443,
  };
}

/** A usable answer; the scheduler never looks inside, so an empty NOERROR does. */
export const OK_RESULT: ExchangeResult = {
  ok: true,
  response: { type: 'response', id: 0, flags: 0x8180, questions: [], answers: [] },
  answer: { rcode: 'NOERROR', chain: [], negative: null, dropped: [] },
};

/**
 * Fake upstreams answering on a manual clock, in the order given (= rank order).
 * Records what the scheduler did: calls per upstream, each call's signal, and
 * the peak number of requests open at once.
 */
export class FakeNetwork {
  readonly upstreams: Upstream[];
  readonly calls = new Map<string, number>();
  readonly signals = new Map<string, AbortSignal>();
  private readonly behaviours = new Map<string, FakeBehaviour>();
  private open = 0;
  private peak = 0;

  constructor(
    private readonly clock: Clock,
    behaviours: Record<string, FakeBehaviour>,
  ) {
    this.upstreams = Object.keys(behaviours).map(fakeUpstream);
    for (const [name, behaviour] of Object.entries(behaviours))
      this.behaviours.set(name, behaviour);
  }

  /** Changes how an upstream behaves from the next call on. */
  set(name: string, behaviour: FakeBehaviour): void {
    this.behaviours.set(name, behaviour);
  }

  get inflight(): number {
    return this.open;
  }

  get peakInflight(): number {
    return this.peak;
  }

  callCount(name: string): number {
    return this.calls.get(name) ?? 0;
  }

  readonly exchange: Exchange = (upstream, _query, signal) => {
    const behaviour = this.behaviours.get(upstream.name);
    if (behaviour === undefined) throw new Error(`no fake behaviour for ${upstream.name}`);
    this.calls.set(upstream.name, this.callCount(upstream.name) + 1);
    this.signals.set(upstream.name, signal);
    const { latencyMs, result } = behaviour;
    if (result === 'throw') throw new Error(`${upstream.name} broke its contract`);
    this.open++;
    this.peak = Math.max(this.peak, this.open);
    return new Promise<ExchangeResult>((resolve, reject) => {
      let timer: TimerHandle | null = null;
      const done = () => {
        this.open--;
        signal.removeEventListener('abort', onAbort);
        if (timer !== null) this.clock.clearTimeout(timer);
      };
      const onAbort = () => {
        done();
        resolve({ ok: false, failure: { kind: 'timeout', message: 'fake aborted' } });
      };
      signal.addEventListener('abort', onAbort);
      if (result === 'never') return;
      timer = this.clock.setTimeout(() => {
        timer = null;
        done();
        if (result === 'reject') reject(new Error(`${upstream.name} rejected`));
        else resolve(outcome(result));
      }, latencyMs);
    });
  };
}

function outcome(result: 'ok' | 'servfail' | 'refused'): ExchangeResult {
  switch (result) {
    case 'ok':
      return OK_RESULT;
    case 'servfail':
      return { ok: false, failure: { kind: 'rcode', rcode: 'SERVFAIL', message: 'SERVFAIL' } };
    case 'refused':
      return { ok: false, failure: { kind: 'refused', message: 'connection refused' } };
  }
}
