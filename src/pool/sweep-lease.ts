/**
 * Who runs the background sweep of a name (docs/architecture.md §4). Without
 * a rule every colo sweeps every name once per TTL: K colos x N upstreams
 * requests where one sweep of N would do. The pool object decides instead,
 * with this rule, written pure so tests can give it exact times.
 *
 * - While the pool is fresh, a lease is granted only when nobody holds a
 *   live one and the last completed sweep is older than its window: the
 *   colos that skip serve the fresh pool meanwhile.
 * - A pool that is not fresh grants every caller the sweep, lease or not.
 *   Nobody has a complete answer to serve then, and a sweep that is still
 *   running may never land: its write is rejected as soon as any newer
 *   query writes first (the docs/architecture.md §4 race), so a lease
 *   that held the others back would leave the pool incomplete for a TTL.
 *   The price: colos that miss a cold name at the same moment all sweep it.
 * - A completed sweep, once stored, releases the lease and marks the pool
 *   swept for SWEEP_LEASE_SHARE of its shortest TTL.
 */

/** Lease state of one (name, type) pool. Epoch ms; 0 means never. */
export interface SweepLease {
  /** Until when the isolate granted the sweep may run it; nobody else is granted it before. */
  readonly leaseUntil: number;
  /** Until when a completed sweep makes another one pointless, while the pool is fresh. */
  readonly sweptUntil: number;
}

export const NO_SWEEP_LEASE: SweepLease = { leaseUntil: 0, sweptUntil: 0 };

/**
 * Share of the shortest TTL a completed sweep covers. Prefetch starts in the
 * last 10 % of an entry's TTL (docs/architecture.md §5): 0.9 makes the pool
 * grant the sweep again exactly when a prefetch asks for it, so the pool is
 * re-swept before it expires and never has a gap.
 */
export const SWEEP_LEASE_SHARE = 0.9;

const MS_PER_SECOND = 1_000;

export interface SweepDecision {
  readonly sweep: boolean;
  /** The lease state to keep: changed only when the sweep is granted. */
  readonly lease: SweepLease;
}

/**
 * Decides whether the isolate asking at `now` runs the background sweep.
 * `poolFresh`: the pool serves something unexpired. A pool that is stale or
 * empty is granted whatever `sweptUntil` says: its last sweep no longer
 * covers anything.
 */
export function openSweep(
  lease: SweepLease,
  poolFresh: boolean,
  leaseMs: number,
  now: number,
): SweepDecision {
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new RangeError(`leaseMs must be a positive number of ms, got ${leaseMs}`);
  }
  const held = now < lease.leaseUntil;
  const recentlySwept = now < lease.sweptUntil;
  if (poolFresh && (held || recentlySwept)) return { sweep: false, lease };
  return { sweep: true, lease: { ...lease, leaseUntil: now + leaseMs } };
}

/** What the lease rule reads of a write (a PoolWrite fits). */
export interface SweepWrite {
  /** True when every upstream of the plan was asked: a completed background sweep. */
  readonly swept: boolean;
  readonly receivedAt: number;
  readonly records: readonly { readonly ttl: number }[];
  readonly negative: { readonly ttl: number } | null;
}

/**
 * The lease after a write: unchanged for a rejected write or one that is not
 * a completed sweep; otherwise released, and the pool counts as swept until
 * SWEEP_LEASE_SHARE of the write's shortest TTL (records and negative answer)
 * has passed. The receive time is capped at `now` so a skewed
 * isolate clock cannot stretch the window.
 */
export function leaseAfterWrite(
  lease: SweepLease,
  write: SweepWrite,
  accepted: boolean,
  now: number,
): SweepLease {
  if (!accepted || !write.swept) return lease;
  const ttls = write.records.map((record) => record.ttl);
  if (write.negative !== null) ttls.push(write.negative.ttl);
  const shortestTtl = ttls.length > 0 ? Math.min(...ttls) : 0;
  const receivedAt = Math.min(write.receivedAt, now);
  return {
    leaseUntil: 0,
    sweptUntil: receivedAt + SWEEP_LEASE_SHARE * shortestTtl * MS_PER_SECOND,
  };
}
