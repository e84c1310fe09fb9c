/**
 * The pool object decides who sweeps a name (docs/architecture.md §4): one
 * isolate at a time holds the lease, a completed sweep stands for
 * SWEEP_LEASE_SHARE of the pool's shortest TTL, and the lease lives in the
 * stored row, so an evicted object still knows it.
 */
import { env, evictDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { SWEEP_LEASE_SHARE } from '../../src/pool/sweep-lease';
import { poolObject } from './domain-pool-object';
import { NAME, rec, v, write } from './pool-fixtures';

/**
 * The object's clock is set through its seam, starting from real time: the
 * alarm it arms is then in the future, as in production, and does not fire
 * during the test.
 */
const T0 = Date.now();
const LEASE_MS = 5_000;

function uniqueName(label: string): string {
  return `${label}-${crypto.randomUUID()}`;
}

/** A fresh pool that no sweep has filled (an active tier's answers only). */
async function freshUnswept(label: string) {
  const pool = poolObject(uniqueName(label));
  await pool.setClock(T0);
  const active = write(v(T0), T0, [rec('192.0.2.1', 300)]);
  expect((await pool.write({ name: NAME, type: 'A', write: active })).status).toBe('accepted');
  return pool;
}

it('grants the sweep of a fresh pool to the first of two callers and not to the second', async () => {
  const pool = await freshUnswept('lease-once');
  const first = await pool.open({ type: 'A', leaseMs: LEASE_MS });
  expect(first.sweep).toBe(true);
  expect(first.snapshot?.records.map((record) => record.data)).toEqual(['192.0.2.1']);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(false);
});

it('grants every caller the sweep while the pool holds nothing fresh', async () => {
  const pool = poolObject(uniqueName('lease-cold'));
  await pool.setClock(T0);
  expect(await pool.open({ type: 'A', leaseMs: LEASE_MS })).toEqual({
    snapshot: null,
    sweep: true,
  });
  // Nobody has a complete answer yet, and the first sweep may be rejected by a newer write.
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
});

it('grants the sweep again once the lease has run out', async () => {
  const pool = await freshUnswept('lease-expiry');
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
  await pool.setClock(T0 + LEASE_MS - 1);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(false);
  await pool.setClock(T0 + LEASE_MS);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
});

it('skips the sweep after a swept write until SWEEP_LEASE_SHARE of the TTL has passed', async () => {
  const pool = poolObject(uniqueName('lease-swept'));
  await pool.setClock(T0);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
  const sweep = {
    ...write(v(T0), T0, [rec('192.0.2.1', 300), rec('192.0.2.2', 100)]),
    swept: true,
  };
  expect((await pool.write({ name: NAME, type: 'A', write: sweep })).status).toBe('accepted');

  const sweptUntil = T0 + SWEEP_LEASE_SHARE * 100_000;
  // The lease is released by the write, yet the fresh, swept pool needs no other sweep.
  await pool.setClock(T0 + 1);
  const opening = await pool.open({ type: 'A', leaseMs: LEASE_MS });
  expect(opening.sweep).toBe(false);
  expect(opening.snapshot?.records.map((record) => record.data)).toEqual([
    '192.0.2.1',
    '192.0.2.2',
  ]);
  await pool.setClock(sweptUntil - 1);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(false);
  // The last 10 % of the TTL: a prefetch gets the sweep, so the pool is re-swept before it expires.
  await pool.setClock(sweptUntil);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(false);
});

it('does not count a rejected swept write as a sweep', async () => {
  const pool = poolObject(uniqueName('lease-rejected'));
  await pool.setClock(T0 + 100);
  const newer = write(v(T0 + 50), T0 + 100, [rec('192.0.2.1', 300)]);
  expect((await pool.write({ name: NAME, type: 'A', write: newer })).status).toBe('accepted');
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);

  const olderSweep = { ...write(v(T0), T0 + 100, [rec('192.0.2.2', 300)]), swept: true };
  const result = await pool.write({ name: NAME, type: 'A', write: olderSweep });
  expect(result.status).toBe('rejected');
  // Neither released nor marked swept: the holder keeps its lease...
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(false);
  // ...and once it runs out, the next caller sweeps.
  await pool.setClock(T0 + 100 + LEASE_MS);
  expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
  expect((await pool.inspect('A'))?.sweptUntil).toBeNull();
});

it('keeps a lease across eviction when the type has a stored row', async () => {
  const objectName = uniqueName('lease-evicted');
  const stub = env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(objectName));
  const pool = poolObject(objectName);
  // Real time here: eviction resets the clock seam along with the rest of memory.
  const now = Date.now();
  const leaseMs = 10 * 60_000;
  await pool.write({ name: NAME, type: 'A', write: write(v(now), now, [rec('192.0.2.1', 3_600)]) });
  expect((await pool.open({ type: 'A', leaseMs })).sweep).toBe(true);
  expect((await pool.open({ type: 'AAAA', leaseMs })).sweep).toBe(true);

  await evictDurableObject(stub);
  expect((await pool.open({ type: 'A', leaseMs })).sweep).toBe(false);
  // A type with no stored row kept its lease in memory only (no storage for it): evicted with it.
  expect((await pool.open({ type: 'AAAA', leaseMs })).sweep).toBe(true);
});
