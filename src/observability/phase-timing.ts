/**
 * Where the worker's own time goes on one DoH request (docs/operations.md §5):
 * one recorder per request, filled by the layers it passes through, emitted
 * in `Server-Timing` (`parse;dur=0.12, tenant;dur=0.05, …`) and in the
 * query log line.
 *
 * What the figures mean depends on the clock. In production the Workers
 * clock (`performance.now()`, `Date.now()`) stands still while JavaScript
 * runs and only moves across I/O, so phases that are pure CPU (parse,
 * isolate cache, encode) read 0 and only I/O phases (colo cache, pool,
 * upstream, a rate-limit or KV call) show time. Under `wrangler dev` and in
 * the tests (local workerd) the clock does move during CPU, but in whole
 * milliseconds: a 0.3 ms phase reads 0 or 1. One request's CPU phase is
 * therefore noise; the mean over many requests is not (the bench reports it).
 *
 * Phases may overlap (the pool read runs beside the upstream race, a
 * rate-limit consult beside the cache lookup), so they need not add up to
 * `total`.
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/performance/
 * @see https://www.w3.org/TR/server-timing/
 */

/** The worker's phases in request order; every one is emitted, 0 when it did not run. */
export const PHASES = [
  'parse',
  'tenant',
  'rate-limit',
  'isolate-cache',
  'colo-cache',
  'pool',
  'upstream',
  'encode',
] as const;

export type Phase = (typeof PHASES)[number];

/** Milliseconds per phase, plus `total` (request start to encoded answer). */
export type PhaseDurations = Readonly<Record<Phase | 'total', number>>;

/**
 * Accumulates the time spent per phase. A phase run twice (two cache
 * lookups after a stale entry) adds up. Never throws; a phase that never
 * ends (its promise never settles) counts nothing.
 */
export class PhaseTimer {
  readonly #spent = new Map<Phase, number>();
  readonly #descriptions = new Map<Phase, string>();
  readonly #startedAt: number;
  #endedAt: number | null = null;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.#startedAt = now();
  }

  /** Starts `phase` now; the returned function ends it. */
  start(phase: Phase): () => void {
    const from = this.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.add(phase, this.now() - from);
    };
  }

  /** Runs `work` as `phase`. */
  time<T>(phase: Phase, work: () => T): T {
    const end = this.start(phase);
    try {
      return work();
    } finally {
      end();
    }
  }

  /** Counts the time from now until `work` settles as `phase`; returns `work` unchanged. */
  timeAsync<T>(phase: Phase, work: Promise<T>): Promise<T> {
    const end = this.start(phase);
    work.then(end, end);
    return work;
  }

  add(phase: Phase, ms: number): void {
    this.#spent.set(phase, (this.#spent.get(phase) ?? 0) + Math.max(0, ms));
  }

  /** A label for the phase in `Server-Timing` (`upstream`: the winner's name). */
  describe(phase: Phase, text: string): void {
    this.#descriptions.set(phase, text);
  }

  description(phase: Phase): string | undefined {
    return this.#descriptions.get(phase);
  }

  /** Marks the end of the request's own work (the answer is encoded); `total` stops here. */
  finish(): void {
    this.#endedAt ??= this.now();
  }

  /** Every phase (0 when it did not run) and `total`, up to finish() or now. */
  durations(): PhaseDurations {
    const entries = PHASES.map((phase) => [phase, this.#spent.get(phase) ?? 0] as const);
    const total = (this.#endedAt ?? this.now()) - this.#startedAt;
    return { ...(Object.fromEntries(entries) as Record<Phase, number>), total };
  }
}

/** Rounded for a log line: hundredths of a millisecond are below any clock here. */
export function roundedDurations(durations: PhaseDurations): Record<string, number> {
  return Object.fromEntries(
    Object.entries(durations).map(([phase, ms]) => [phase, Math.round(ms * 100) / 100]),
  );
}
