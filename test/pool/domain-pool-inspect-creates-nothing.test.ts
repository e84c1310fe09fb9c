/**
 * Inspecting a pool is read-only: asking an admin question about a name
 * nobody ever resolved must not create storage in its Durable Object, or
 * anyone allowed to inspect could fill storage with one request per made-up
 * name. The test looks inside (pool-storage.ts): no table and no more bytes
 * than an empty database.
 */
import { expect, it } from 'vitest';
import { poolObject } from './domain-pool-object';
import { NAME, rec, v, write } from './pool-fixtures';
import { storageOf } from './pool-storage';

it('creates no table when a pool that was never written is inspected or read', async () => {
  const empty = await storageOf(`empty-${crypto.randomUUID()}`);
  const objectName = `inspect-${crypto.randomUUID()}`;
  const pool = poolObject(objectName);
  expect(await pool.inspect('A')).toBeNull();
  expect(await pool.read('AAAA')).toBeNull();
  const after = await storageOf(objectName);
  expect(after.tables).toEqual([]);
  expect(after.bytes).toBe(empty.bytes);
});

it('creates its table with the first write (the check above can see storage)', async () => {
  const objectName = `inspect-${crypto.randomUUID()}`;
  const pool = poolObject(objectName);
  const now = Date.now();
  await pool.write({ name: NAME, type: 'A', write: write(v(now), now, [rec('192.0.2.1', 300)]) });
  expect((await storageOf(objectName)).tables).toEqual(['pools']);
  expect(await pool.inspect('A')).not.toBeNull();
});
