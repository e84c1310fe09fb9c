import { describe, expect, it } from 'vitest';
import {
  leaseAfterWrite,
  NO_SWEEP_LEASE,
  openSweep,
  SWEEP_LEASE_SHARE,
  type SweepWrite,
} from '../../src/pool/sweep-lease';

const LEASE_MS = 5_000;

function sweptWrite(receivedAt: number, ttls: number[], swept = true): SweepWrite {
  return { swept, receivedAt, records: ttls.map((ttl) => ({ ttl })), negative: null };
}

describe('openSweep', () => {
  it('grants the first caller of a fresh pool and refuses a second one while the lease is live', () => {
    const first = openSweep(NO_SWEEP_LEASE, true, LEASE_MS, 1_000);
    expect(first).toEqual({ sweep: true, lease: { leaseUntil: 6_000, sweptUntil: 0 } });
    const second = openSweep(first.lease, true, LEASE_MS, 5_999);
    expect(second).toEqual({ sweep: false, lease: first.lease });
  });

  it('grants every caller while the pool is not fresh, lease or not (a running sweep may be rejected)', () => {
    const first = openSweep(NO_SWEEP_LEASE, false, LEASE_MS, 1_000);
    expect(first.sweep).toBe(true);
    const second = openSweep(first.lease, false, LEASE_MS, 2_000);
    expect(second).toEqual({ sweep: true, lease: { leaseUntil: 7_000, sweptUntil: 0 } });
  });

  it('grants again once the lease has run out', () => {
    const first = openSweep(NO_SWEEP_LEASE, true, LEASE_MS, 1_000);
    expect(openSweep(first.lease, true, LEASE_MS, 6_000)).toEqual({
      sweep: true,
      lease: { leaseUntil: 11_000, sweptUntil: 0 },
    });
  });

  it('refuses while a fresh pool was swept recently, and grants when the pool is not fresh', () => {
    const swept = { leaseUntil: 0, sweptUntil: 50_000 };
    expect(openSweep(swept, true, LEASE_MS, 49_999).sweep).toBe(false);
    expect(openSweep(swept, true, LEASE_MS, 50_000).sweep).toBe(true);
    expect(openSweep(swept, false, LEASE_MS, 10_000).sweep).toBe(true);
  });

  it('refuses a lease length that is not a positive number of ms', () => {
    expect(() => openSweep(NO_SWEEP_LEASE, false, 0, 1_000)).toThrow(RangeError);
    expect(() => openSweep(NO_SWEEP_LEASE, false, Number.NaN, 1_000)).toThrow(RangeError);
  });
});

describe('leaseAfterWrite', () => {
  const held = { leaseUntil: 9_000, sweptUntil: 0 };

  it('releases the lease and marks the pool swept for SWEEP_LEASE_SHARE of the shortest TTL', () => {
    expect(leaseAfterWrite(held, sweptWrite(2_000, [300, 60]), true, 2_500)).toEqual({
      leaseUntil: 0,
      sweptUntil: 2_000 + SWEEP_LEASE_SHARE * 60_000,
    });
  });

  it('changes nothing for a rejected write or one that is not a completed sweep', () => {
    expect(leaseAfterWrite(held, sweptWrite(2_000, [60]), false, 2_500)).toBe(held);
    expect(leaseAfterWrite(held, sweptWrite(2_000, [60], false), true, 2_500)).toBe(held);
  });

  it('counts from the negative TTL when the sweep found no records', () => {
    const negative: SweepWrite = {
      swept: true,
      receivedAt: 0,
      records: [],
      negative: { ttl: 100 },
    };
    expect(leaseAfterWrite(held, negative, true, 0).sweptUntil).toBe(90_000);
  });

  it("never lets a receive time ahead of the object's clock stretch the window", () => {
    expect(leaseAfterWrite(held, sweptWrite(10_000, [10]), true, 1_000).sweptUntil).toBe(10_000);
  });
});
