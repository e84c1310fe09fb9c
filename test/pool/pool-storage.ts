/**
 * What a DomainPool object holds on disk, read from inside the object.
 * Miniflare gives every object it instantiates a database file, so tests
 * that promise "no storage" compare against an object that was never used.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import type { DomainPool } from '../../src/pool/domain-pool';

export interface StorageFacts {
  /** Tables other than the platform's own `_cf_*` bookkeeping. */
  tables: string[];
  bytes: number;
  alarm: number | null;
}

export async function storageOf(objectName: string): Promise<StorageFacts> {
  const stub = env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(objectName));
  return runInDurableObject(stub, async (_instance: DomainPool, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
      )
      .toArray()
      .map((row) => row.name),
    bytes: state.storage.sql.databaseSize,
    alarm: await state.storage.getAlarm(),
  }));
}
