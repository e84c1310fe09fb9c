/** Small statistics helpers for the bench: percentiles and concurrency over intervals. */

/** Nearest-rank percentile (p in 0..100) of the values; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export interface Interval {
  readonly start: number;
  readonly end: number;
}

export interface Concurrency {
  /** Most intervals open at the same instant. */
  readonly peak: number;
  /** Time-weighted mean of open intervals from the first start to the last end. */
  readonly mean: number;
}

/** Peak and time-weighted mean number of overlapping intervals. */
export function concurrency(intervals: readonly Interval[]): Concurrency {
  if (intervals.length === 0) return { peak: 0, mean: 0 };
  // Ends sort before starts at the same instant: back-to-back is not overlap.
  const events = intervals
    .flatMap((i) => [
      { at: i.start, delta: 1 },
      { at: Math.max(i.start, i.end), delta: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let open = 0;
  let peak = 0;
  for (const event of events) {
    open += event.delta;
    peak = Math.max(peak, open);
  }
  const first = Math.min(...intervals.map((i) => i.start));
  const last = Math.max(...intervals.map((i) => i.end));
  const busy = intervals.reduce((sum, i) => sum + Math.max(0, i.end - i.start), 0);
  return { peak, mean: last > first ? busy / (last - first) : peak };
}
