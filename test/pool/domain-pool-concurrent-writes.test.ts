/**
 * docs/architecture.md §4 under load: 1,000 writes with shuffled versions sent to one
 * DomainPool object at once. The object serializes them; the stored version
 * only moves forward and every rejection is counted.
 */
import { expect, it } from 'vitest';
import type { PoolWriteResult } from '../../src/pool/domain-pool';
import { compareVersions, formatVersion, type QueryVersion } from '../../src/pool/query-version';
import { randomInt, seededRandom, shuffled } from '../support/seeded-random';
import { poolObject } from './domain-pool-object';
import { NAME, rec, write } from './pool-fixtures';

const WRITES = 1_000;
const ISOLATES = ['iso-a', 'iso-b', 'iso-c'];
/** 1,000 object calls take seconds on a loaded 2-core machine: more than vitest's 5 s default. */
const BURST = { timeout: 30_000 };

it(
  'ends on the maximum version, never moves backward and counts every rejection (seed 11)',
  BURST,
  async () => {
    const random = seededRandom(11);
    const start = Date.now();
    // Narrow ranges make equal versions (merges) and ties on startMs common.
    const versions: QueryVersion[] = Array.from({ length: WRITES }, () => ({
      startMs: start + randomInt(random, 300),
      counter: randomInt(random, 3),
      isolateId: ISOLATES[randomInt(random, ISOLATES.length)] ?? 'iso-a',
    }));
    const pool = poolObject(`burst-${crypto.randomUUID()}`);

    // Results in the order the object answered them.
    const answered: Array<{ sent: QueryVersion; result: PoolWriteResult }> = [];
    await Promise.all(
      shuffled(random, versions).map(async (sent, index) => {
        const address = `198.51.100.${1 + (index % 200)}`;
        const result = await pool.write({
          name: NAME,
          type: 'A',
          write: write(sent, Date.now(), [rec(address, 3_600)]),
        });
        answered.push({ sent, result });
      }),
    );
    expect(answered).toHaveLength(WRITES);

    let highest: QueryVersion | null = null;
    let expectedRejected = 0;
    for (const { sent, result } of answered) {
      // The stored version never goes backward...
      if (highest !== null)
        expect(compareVersions(result.version, highest)).toBeGreaterThanOrEqual(0);
      // ...and each status agrees with the version it was compared against.
      const wasBehind = highest !== null && compareVersions(sent, highest) < 0;
      if (wasBehind) expectedRejected++;
      expect(result.status).toBe(
        wasBehind
          ? 'rejected'
          : highest !== null && compareVersions(sent, highest) === 0
            ? 'merged'
            : 'accepted',
      );
      expect(compareVersions(result.version, sent)).toBe(result.status === 'rejected' ? 1 : 0);
      highest = result.version;
    }

    const maximum = [...versions].sort(compareVersions).at(-1);
    if (maximum === undefined) throw new Error('no versions');
    const view = await pool.inspect('A');
    expect(view?.version).toBe(formatVersion(maximum));
    expect(view?.rejectedWrites).toBe(expectedRejected);
    expect(answered.filter((a) => a.result.status === 'rejected')).toHaveLength(expectedRejected);
    // The burst really raced: most writes arrived after a newer one.
    expect(expectedRejected).toBeGreaterThan(WRITES / 2);
  },
);
