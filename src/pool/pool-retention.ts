/**
 * How long a pool's storage is kept (docs/architecture.md §4): until the
 * last thing it holds has expired and the stale window after it has passed,
 * the same window the caches serve stale answers in. After that the object's
 * alarm removes it, so names asked once do not keep storage forever.
 */
import { STALE_WINDOW_S } from '../cache/answer-cache';
import type { PoolState } from './pool-update';

const MS_PER_SECOND = 1_000;

/**
 * Epoch ms until which a stored pool is kept: its latest record or negative
 * expiry plus the stale window. A pool that holds nothing counts from its
 * last write, so the version it stores still rejects late writes of older
 * queries for that long.
 */
export function retainedUntil(state: PoolState): number {
  const expiries = state.records.map((entry) => entry.expiresAt);
  if (state.negative !== null) expiries.push(state.negative.expiresAt);
  const latest = expiries.length > 0 ? Math.max(...expiries) : state.updatedAt;
  return latest + STALE_WINDOW_S * MS_PER_SECOND;
}
