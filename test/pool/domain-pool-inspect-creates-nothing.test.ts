/**
 * Inspecting a pool is read-only: asking an admin question about a name
 * nobody ever resolved must not create storage in its Durable Object, or
 * anyone allowed to inspect could fill storage with one request per made-up
 * name. Miniflare gives every object it instantiates a database file, so
 * the test looks inside: no table and no more bytes than an empty database.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect, it } from 'vitest';
import type { DomainPool } from '../../src/pool/domain-pool';
import { poolObject } from './domain-pool-object';
import { NAME, rec, v, write } from './pool-fixtures';

interface StorageFacts {
  tables: string[];
  bytes: number;
}

async function storageOf(objectName: string): Promise<StorageFacts> {
  const stub = env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(objectName));
  return runInDurableObject(stub, (_instance: DomainPool, state) => ({
    // `_cf_*` tables are the platform's own bookkeeping.
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((row) => row.name),
    bytes: state.storage.sql.databaseSize,
  }));
}

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
