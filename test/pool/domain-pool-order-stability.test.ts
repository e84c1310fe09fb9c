/**
 * docs/architecture.md §4 stable order on the DomainPool object: over 100 refreshes, with
 * addresses appearing and expiring under the object's (controlled) clock, no
 * surviving address ever changes position relative to another.
 */
import { afterEach, expect, it, vi } from 'vitest';
import { randomInt, seededRandom, shuffled } from '../support/seeded-random';
import { poolObject } from './domain-pool-object';
import { addressesOf, NAME, rec, v, write } from './pool-fixtures';

const ADDRESSES = Array.from({ length: 24 }, (_, index) => `198.51.100.${index + 1}`);
const REFRESHES = 100;
const T0 = 1_795_000_000_000;

afterEach(() => vi.useRealTimers());

/** True when `survivors` appear in `list` in the same relative order as in `before`. */
function keepsRelativeOrder(before: readonly unknown[], after: readonly unknown[]): boolean {
  const survivors = before.filter((address) => after.includes(address));
  return survivors.every(
    (address, i) => i === 0 || after.indexOf(survivors[i - 1]) < after.indexOf(address),
  );
}

it('never reorders surviving addresses over 100 refreshes while others appear and expire (seed 5)', async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  const random = seededRandom(5);
  const pool = poolObject(`order-${crypto.randomUUID()}`);
  let now = T0;
  let appeared = 0;
  let expired = 0;

  for (let refresh = 0; refresh < REFRESHES; refresh++) {
    now += randomInt(random, 20_000);
    vi.setSystemTime(now);
    const before = addressesOf((await pool.read('A'))?.records ?? []);

    const fresh = shuffled(random, ADDRESSES).slice(0, 1 + randomInt(random, 5));
    const records = fresh.map((address) => rec(address, 1 + randomInt(random, 45)));
    const result = await pool.write({ name: NAME, type: 'A', write: write(v(now), now, records) });
    expect(result.status).toBe('accepted');
    const after = addressesOf(result.records);

    // Survivors keep their places at the front; newcomers are appended after them.
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.slice(before.length).every((address) => !before.includes(address))).toBe(true);
    appeared += after.length - before.length;

    // Time passing only removes addresses, never reorders the rest.
    vi.setSystemTime(now + randomInt(random, 20_000));
    const later = addressesOf((await pool.read('A'))?.records ?? []);
    expect(keepsRelativeOrder(after, later)).toBe(true);
    expect(later.every((address) => after.includes(address))).toBe(true);
    expired += after.length - later.length;
    vi.setSystemTime(now);
  }

  // The history really exercised both.
  expect(appeared).toBeGreaterThan(100);
  expect(expired).toBeGreaterThan(50);
});
