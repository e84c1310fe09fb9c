/**
 * Property-style checks of the pool update rule over many seeded random
 * histories: version monotonicity, exact rejection counts and order stability.
 */
import { describe, expect, it } from 'vitest';
import { applyPoolWrite, type PoolState, servedRecords } from '../../src/pool/pool-update';
import { compareVersions, type QueryVersion } from '../../src/pool/query-version';
import { randomInt, seededRandom, shuffled } from '../support/seeded-random';
import { addressesOf, rec, write } from './pool-fixtures';

const ADDRESSES = Array.from({ length: 24 }, (_, index) => `198.51.100.${index + 1}`);
const ISOLATES = ['iso-a', 'iso-b', 'iso-c'];

describe('applyPoolWrite over random histories', () => {
  it('ends on the maximum version, never goes backward and counts rejections exactly (seed 7)', () => {
    const random = seededRandom(7);
    // Small ranges make equal versions (merges) and same-millisecond ties common.
    const versions: QueryVersion[] = Array.from({ length: 1_000 }, () => ({
      startMs: 1_000 + randomInt(random, 200),
      counter: randomInt(random, 3),
      isolateId: ISOLATES[randomInt(random, ISOLATES.length)] ?? 'iso-a',
    }));
    const order = shuffled(random, versions);

    let state: PoolState | null = null;
    let expectedRejected = 0;
    const statuses = { accepted: 0, merged: 0, rejected: 0 };
    for (const [index, version] of order.entries()) {
      const now = 10_000 + index;
      const address = ADDRESSES[randomInt(random, ADDRESSES.length)] ?? '198.51.100.1';
      const previous: PoolState | null = state;
      if (previous !== null && compareVersions(version, previous.version) < 0) expectedRejected++;
      const outcome = applyPoolWrite(previous, write(version, now, [rec(address, 3_600)]), now);
      statuses[outcome.status]++;
      if (previous !== null) {
        expect(compareVersions(outcome.state.version, previous.version)).toBeGreaterThanOrEqual(0);
      }
      expect(outcome.currentVersion).toEqual(outcome.state.version);
      state = outcome.state;
    }

    const maximum = [...versions].sort(compareVersions).at(-1);
    expect(state?.version).toEqual(maximum);
    expect(state?.rejectedWrites).toBe(expectedRejected);
    expect(statuses.rejected).toBe(expectedRejected);
    expect(statuses.accepted + statuses.merged + statuses.rejected).toBe(1_000);
  });

  it('never changes the relative order of surviving addresses over 100 refreshes (seed 42)', () => {
    const random = seededRandom(42);
    let state: PoolState | null = null;
    let now = 1_000_000;
    let expiredAtLeastOnce = 0;
    let appearedLater = 0;

    for (let refresh = 0; refresh < 100; refresh++) {
      now += randomInt(random, 20_000);
      const before = addressesOf(servedRecords(state, now));
      const fresh = shuffled(random, ADDRESSES).slice(0, 1 + randomInt(random, 5));
      const records = fresh.map((address) => rec(address, 1 + randomInt(random, 45)));
      const version = { startMs: now, counter: 0, isolateId: 'iso-a' };
      state = applyPoolWrite(state, write(version, now, records), now).state;
      // Sometimes the same query writes again with its slower upstreams' answers.
      if (random() < 0.3) {
        const late = shuffled(random, ADDRESSES)
          .slice(0, 2)
          .map((address) => rec(address, 1 + randomInt(random, 45), ['u2']));
        state = applyPoolWrite(state, write(version, now, late), now + 20).state;
      }
      const after = addressesOf(servedRecords(state, now));

      // Union within TTL: nothing live disappears just because this query did not see it.
      expect(after.slice(0, before.length)).toEqual(before);
      // New addresses are appended after every survivor.
      expect(after.slice(before.length).every((address) => !before.includes(address))).toBe(true);
      appearedLater += after.length - before.length;

      // Between refreshes, time passing only removes addresses, never reorders the rest.
      const later = now + randomInt(random, 20_000);
      const served = addressesOf(servedRecords(state, later));
      expect(served).toEqual(after.filter((address) => served.includes(address)));
      expiredAtLeastOnce += after.length - served.length;
    }

    // The history really exercised appearing and expiring addresses.
    expect(appearedLater).toBeGreaterThan(100);
    expect(expiredAtLeastOnce).toBeGreaterThan(50);
  });
});
