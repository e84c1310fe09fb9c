/**
 * A DNSSEC-OK client must get one upstream's answer exactly as signed: a
 * merged RRset is covered by no upstream's RRSIG. Its answers are cached as
 * the winner gave them and never written to the shared pool.
 */
import { expect, it } from 'vitest';
import { encodeMessage } from '../../src/dns/codec';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { fleetBindings, fleetUnion, poolStub, uniqueFleetName } from './fleet-worker';

/** The DO bit in the OPT record's flags (RFC 3225 §3). */
const DNSSEC_OK = 0x8000;

function dnssecQuery(name: string): Uint8Array {
  return encodeMessage({
    id: 5,
    type: 'query',
    flags: 0x0100,
    questions: [{ name, type: 'A', class: 'IN' }],
    additionals: [
      {
        type: 'OPT',
        name: '.',
        udpPayloadSize: 1232,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: DNSSEC_OK,
        flag_do: true,
        options: [],
      },
    ],
  });
}

it('serves DNSSEC-OK queries the winner answer unmerged and keeps them out of the pool', async () => {
  const name = uniqueFleetName('dnssec-ok');
  const first = await callWorker(getPath(dnssecQuery(name)), undefined, fleetBindings());
  const winnerAddresses = addressesOf(await wireAnswer(first.response));
  await first.background;
  expect(winnerAddresses.length).toBeGreaterThan(0);
  expect(winnerAddresses.length).toBeLessThan(fleetUnion().length);

  const again = await callWorker(getPath(dnssecQuery(name)), undefined, fleetBindings());
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
