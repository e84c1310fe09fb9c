/**
 * Time as an argument. The scheduler and the health ranking never read the
 * global timers themselves; they take a `Clock`, so the worker wires the real
 * one and tests drive a manual one to the exact millisecond.
 */

/** Opaque token from `Clock.setTimeout`; only the clock that issued it can cancel it. */
export type TimerHandle = object;

export interface Clock {
  /** Milliseconds since the epoch. Only differences between two readings are meaningful. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * `work`'s outcome if it settles within `ms`, else `fallback`; the timer is
 * cleared either way, and a rejection after the fallback is absorbed.
 */
export function settleWithin<T, F>(
  clock: Clock,
  work: Promise<T>,
  ms: number,
  fallback: F,
): Promise<T | F> {
  return new Promise((resolve, reject) => {
    const timer = clock.setTimeout(() => resolve(fallback), Math.max(0, ms));
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** Wraps a platform timer id so the handle type is the same in workerd and in Node's typings. */
class SystemTimer {
  constructor(readonly native: ReturnType<typeof setTimeout>) {}
}

/**
 * The real clock. In Workers `Date.now()` only advances across I/O (a Spectre
 * mitigation), which is fine here: the scheduler only uses it for offsets
 * between events that are themselves separated by I/O or timers.
 *
 * @see https://developers.cloudflare.com/workers/reference/security-model/#step-1-disallow-timers-and-multi-threading
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => new SystemTimer(setTimeout(fn, ms)),
  clearTimeout: (handle) => {
    if (handle instanceof SystemTimer) clearTimeout(handle.native);
  },
};
