/**
 * The record cap on the object itself: an upstream that keeps bringing new
 * addresses cannot grow the stored pool, the addresses already served keep
 * their order, and the admin view counts what was left out.
 */
import { expect, it } from 'vitest';
import { MAX_POOL_RECORDS_PER_RRSET } from '../../src/pool/pool-update';
import { poolObject } from './domain-pool-object';
import { addressesOf, NAME, rec, v, write } from './pool-fixtures';

const ROTATIONS = 5;
const PER_WRITE = 30;

it('keeps the first addresses in their order and counts the newcomers it leaves out', async () => {
  const pool = poolObject(`cap-${crypto.randomUUID()}`);
  const t0 = Date.now();
  await pool.setClock(t0);
  let served: unknown[] = [];
  for (let i = 0; i < ROTATIONS; i++) {
    const records = Array.from({ length: PER_WRITE }, (_, j) => rec(`10.0.${i}.${j}`, 3_600));
    const result = await pool.write({
      name: NAME,
      type: 'A',
      write: write(v(t0 + i), t0, records),
    });
    const now = addressesOf(result.records);
    expect(now.slice(0, served.length)).toEqual(served);
    served = now;
  }
  expect(served).toHaveLength(MAX_POOL_RECORDS_PER_RRSET);
  const view = await pool.inspect('A');
  expect(view?.records.map((record) => record.data)).toEqual(served);
  expect(view?.droppedRecords).toBe(ROTATIONS * PER_WRITE - MAX_POOL_RECORDS_PER_RRSET);
});
