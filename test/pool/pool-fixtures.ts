/** Builders for pool-update tests: records as mergeAnswers produces them, and versions. */
import { recordKey } from '../../src/pool/canonical-data';
import type { PoolRecord } from '../../src/pool/merge-answers';
import type { PoolWrite } from '../../src/pool/pool-update';
import type { QueryVersion } from '../../src/pool/query-version';

export const NAME = 'pool.example';

export function v(startMs: number, counter = 0, isolateId = 'iso-a'): QueryVersion {
  return { startMs, counter, isolateId };
}

export function rec(address: string, ttl: number, sources: string[] = ['u1']): PoolRecord {
  return { name: NAME, type: 'A', ttl, data: address, key: recordKey(NAME, 'A', address), sources };
}

export function write(
  version: QueryVersion,
  receivedAt: number,
  records: PoolRecord[],
  chain: string[] = [NAME],
): PoolWrite {
  return { version, receivedAt, chain, records, negative: null, swept: false };
}

/** Addresses in served order. */
export function addressesOf(records: readonly { data: unknown }[]): unknown[] {
  return records.map((record) => record.data);
}
