/**
 * The race of docs/architecture.md §4 on the DomainPool object itself, with the object's
 * clock controlled: the late write of the earlier query A is rejected and
 * counted, and B's pool keeps being served in B's order.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { formatVersion } from '../../src/pool/query-version';
import { poolObject } from './domain-pool-object';
import { addressesOf, NAME, rec, v, write } from './pool-fixtures';

/** An arbitrary epoch (late 2026) so expiries are plausible dates. */
const T0 = 1_795_000_000_000;

afterEach(() => vi.useRealTimers());

function at(offsetMs: number): number {
  vi.setSystemTime(T0 + offsetMs);
  return T0 + offsetMs;
}

it('rejects the late write of the earlier query, counts it, and keeps serving the newer pool in its order', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const pool = poolObject(`race-${crypto.randomUUID()}`);

  // An earlier query left a long-lived address and a short-lived one (2 s).
  let now = at(500);
  const earlier = write(v(now, 0, 'isolate-x'), now, [
    rec('192.0.2.9', 3_600, ['u1']),
    rec('192.0.2.1', 2, ['u1']),
  ]);
  expect((await pool.write({ name: NAME, type: 'A', write: earlier })).status).toBe('accepted');

  // Query A starts on isolate X at 1 s; query B on isolate Y at 4 s, after the short entry expired.
  const versionA = v(T0 + 1_000, 0, 'isolate-x');
  const versionB = v(T0 + 4_000, 0, 'isolate-y');

  // B's fast background tier writes first.
  now = at(4_100);
  const fromB = await pool.write({
    name: NAME,
    type: 'A',
    write: write(versionB, now - 20, [rec('192.0.2.2', 60, ['u2']), rec('192.0.2.3', 60, ['u3'])]),
  });
  expect(fromB.status).toBe('accepted');
  const bOrder = ['192.0.2.9', '192.0.2.2', '192.0.2.3'];
  expect(addressesOf(fromB.records)).toEqual(bOrder);

  // A's slow background tier finishes last, with a different merge in a different order.
  now = at(4_500);
  const fromA = await pool.write({
    name: NAME,
    type: 'A',
    write: write(versionA, now - 50, [
      rec('192.0.2.3', 60, ['u1']),
      rec('192.0.2.1', 60, ['u4']),
      rec('192.0.2.2', 60, ['u1']),
    ]),
  });
  expect(fromA.status).toBe('rejected');
  expect(fromA.reason).toBe('stale-version');
  // The writer learns B's version, so its clock can move past it.
  expect(fromA.version).toEqual(versionB);
  expect(addressesOf(fromA.records)).toEqual(bOrder);

  at(4_600);
  const view = await pool.inspect('A');
  expect(view?.version).toBe(formatVersion(versionB));
  expect(view?.rejectedWrites).toBe(1);
  expect(view?.records.map((r) => r.data)).toEqual(bOrder);
  // A's sources were not mixed in: 192.0.2.3 is still only u3's.
  expect(view?.records.find((r) => r.data === '192.0.2.3')?.sources).toEqual(['u3']);

  // Later clients see the same pool in the same order until something expires.
  at(30_000);
  expect(addressesOf((await pool.read('A'))?.records ?? [])).toEqual(bOrder);
});
