/**
 * Negative answers never create pool storage (docs/architecture.md §4): a
 * flood of random NXDOMAIN names, each opened (sweep lease) and written like
 * the query path does, must leave no table, no bytes and no alarm behind,
 * while every write still returns the negative answer for the isolate to
 * serve.
 */
import { expect, it } from 'vitest';
import type { PoolWrite } from '../../src/pool/pool-update';
import { soa } from './dns-fixtures';
import { poolObject } from './domain-pool-object';
import { NAME, rec, v, write } from './pool-fixtures';
import { storageOf } from './pool-storage';

const FLOOD = 25;
const LEASE_MS = 5_000;

function negativeWrite(now: number, rcode: string): PoolWrite {
  return {
    ...write(v(now), now, []),
    negative: { rcode, soa: soa('example', 300, 300), ttl: 300 },
    swept: true,
  };
}

it('leaves no storage behind for a flood of random NXDOMAIN names', async () => {
  const empty = await storageOf(`empty-${crypto.randomUUID()}`);
  const names = Array.from({ length: FLOOD }, () => `nx-${crypto.randomUUID()}.example`);
  for (const name of names) {
    const pool = poolObject(name);
    expect((await pool.open({ type: 'A', leaseMs: LEASE_MS })).sweep).toBe(true);
    const now = Date.now();
    const result = await pool.write({ name, type: 'A', write: negativeWrite(now, 'NXDOMAIN') });
    expect(result.status).toBe('accepted');
    expect(result.negative?.rcode).toBe('NXDOMAIN');
    expect(result.records).toEqual([]);
  }
  for (const name of names) {
    expect(await storageOf(name)).toEqual({ tables: [], bytes: empty.bytes, alarm: null });
  }
});

it('stores nothing for NODATA either, and a later positive answer creates the pool', async () => {
  const objectName = `nodata-${crypto.randomUUID()}`;
  const pool = poolObject(objectName);
  const now = Date.now();
  await pool.write({ name: NAME, type: 'AAAA', write: negativeWrite(now, 'NOERROR') });
  expect((await storageOf(objectName)).tables).toEqual([]);
  expect(await pool.read('AAAA')).toBeNull();

  const positive = write(v(now + 1), now, [rec('192.0.2.1', 300)]);
  expect((await pool.write({ name: NAME, type: 'A', write: positive })).status).toBe('accepted');
  expect((await storageOf(objectName)).tables).toEqual(['pools']);
  expect((await pool.read('A'))?.records.map((record) => record.data)).toEqual(['192.0.2.1']);
});
