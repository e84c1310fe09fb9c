import { describe, expect, it } from 'vitest';
import {
  applyPoolWrite,
  MAX_POOL_RECORDS_PER_RRSET,
  type PoolState,
  servedRecords,
} from '../../src/pool/pool-update';
import { addressesOf, NAME, rec, v, write } from './pool-fixtures';

const CAP = MAX_POOL_RECORDS_PER_RRSET;

function addresses(from: number, count: number, ttl: number) {
  return Array.from({ length: count }, (_, i) => {
    const n = from + i;
    return rec(`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`, ttl);
  });
}

describe('the per-RRset record cap', () => {
  it('never grows an RRset past the cap for an upstream that rotates addresses, and keeps served ones in order', () => {
    const perWrite = 10;
    const ttl = 300;
    let state: PoolState | null = null;
    let dropped = 0;
    // One write per second for twice the TTL, each with addresses never seen before.
    for (let second = 0; second < 2 * ttl; second++) {
      const now = 1_000_000 + second * 1_000;
      const before = servedRecords(state, now).map((record) => record.data);
      const outcome = applyPoolWrite(
        state,
        write(v(now), now, addresses(second * perWrite, perWrite, ttl)),
        now,
      );
      state = outcome.state;
      const served = addressesOf(servedRecords(state, now));
      expect(served.length).toBeLessThanOrEqual(CAP);
      // Addresses clients already got keep their places at the front; newcomers only follow.
      expect(served.slice(0, before.length)).toEqual(before);
      dropped += perWrite - (served.length - before.length);
    }
    expect(state?.droppedRecords).toBe(dropped);
    expect(dropped).toBeGreaterThan(0);
  });

  it('keeps the first records of an oversized answer in merge order and counts the rest', () => {
    const outcome = applyPoolWrite(null, write(v(0), 0, addresses(0, CAP + 5, 60)), 0);
    expect(addressesOf(outcome.state.records)).toEqual(addressesOf(addresses(0, CAP, 60)));
    expect(outcome.state.droppedRecords).toBe(5);
  });

  it('caps an equal-version merge too, and lets an expired record free its place', () => {
    const full = applyPoolWrite(null, write(v(0), 0, addresses(0, CAP, 60)), 0).state;
    const merged = applyPoolWrite(full, write(v(0), 0, addresses(CAP, 3, 60)), 1_000);
    expect(merged.status).toBe('merged');
    expect(merged.state.records).toHaveLength(CAP);
    expect(merged.state.droppedRecords).toBe(3);

    const first = addresses(0, 1, 10);
    const short = applyPoolWrite(
      null,
      write(v(0), 0, [...first, ...addresses(1, CAP - 1, 600)]),
      0,
    );
    const later = applyPoolWrite(
      short.state,
      write(v(20_000), 20_000, addresses(CAP, 1, 600)),
      20_000,
    );
    expect(addressesOf(later.state.records)).toEqual([
      ...addressesOf(addresses(1, CAP - 1, 600)),
      ...addressesOf(addresses(CAP, 1, 600)),
    ]);
    expect(later.state.droppedRecords).toBe(0);
  });

  it('counts each RRset on its own: owner name and type', () => {
    const other = { ...rec('192.0.2.1', 60), name: `edge.${NAME}`, key: 'other' };
    const outcome = applyPoolWrite(null, write(v(0), 0, [...addresses(0, CAP, 60), other]), 0);
    expect(outcome.state.records).toHaveLength(CAP + 1);
    expect(outcome.state.droppedRecords).toBe(0);
  });
});
