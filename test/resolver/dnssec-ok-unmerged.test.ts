/**
 * A DNSSEC-OK client must get one upstream's answer exactly as signed: a
 * merged RRset is covered by no upstream's RRSIG. Its answers are cached as
 * the winner gave them and never written to the shared pool.
 */
import { expect, it } from 'vitest';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, clientOpt, getPath, queryBytes } from '../routes/worker-client';
import { fleetBindings, fleetUnion, poolStub, uniqueFleetName } from './fleet-worker';

it('serves DNSSEC-OK queries the winner answer unmerged and keeps them out of the pool', async () => {
  const name = uniqueFleetName('dnssec-ok');
  const first = await callWorker(
    getPath(queryBytes(name, 'A', 5, { additionals: [clientOpt(true)] })),
    undefined,
    fleetBindings(),
  );
  const winnerAddresses = addressesOf(await wireAnswer(first.response));
  await first.background;
  expect(winnerAddresses.length).toBeGreaterThan(0);
  expect(winnerAddresses.length).toBeLessThan(fleetUnion().length);

  const again = await callWorker(
    getPath(queryBytes(name, 'A', 5, { additionals: [clientOpt(true)] })),
    undefined,
    fleetBindings(),
  );
  expect(again.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  expect(addressesOf(await wireAnswer(again.response))).toEqual(winnerAddresses);
  await again.background;

  expect(await poolStub(name).inspect('A')).toBeNull();

  // A plain client of the same name gets the merged pool, from its own fan-out.
  const plain = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await plain.background;
  const pooled = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(addressesOf(await wireAnswer(pooled.response)).sort()).toEqual(fleetUnion());
  await pooled.background;
});
