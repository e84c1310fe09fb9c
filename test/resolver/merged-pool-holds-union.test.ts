/**
 * docs/architecture.md §3/§4: the background merge unions every upstream's addresses, the
 * pool object remembers who returned each one, and the refilled cache serves
 * the whole pool, in the pool's order, to the next client.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';
import { fleetBindings, fleetUnion, poolStub, uniqueFleetName } from './fleet-worker';

const name = uniqueFleetName('union');
afterEach(() => resetControl(name));

it('serves all six addresses on the next hit and lists each with the upstreams that returned it', async () => {
  const miss = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  const missAddresses = addressesOf(await wireAnswer(miss.response));
  await miss.background;
  // No single upstream knows the whole pool (see test/support/default-fleet.ts).
  expect(missAddresses.length).toBeLessThan(fleetUnion().length);

  const hit = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(hit.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const served = addressesOf(await wireAnswer(hit.response));
  await hit.background;
  expect([...served].sort()).toEqual(fleetUnion());

  const pool = await poolStub(name).inspect('A');
  if (pool === null) throw new Error('the pool was never written');
  // The hit is the pool, in the pool's order.
  expect(pool.records.map((r) => r.data)).toEqual(served);
  for (const record of pool.records) {
    const expected = inject('fleet')
      .filter((u) => u.addresses.includes(record.data))
      .map((u) => u.name)
      .sort();
    expect([...record.sources].sort(), record.data).toEqual(expected);
  }
  expect(pool.rejectedWrites).toBe(0);
});
