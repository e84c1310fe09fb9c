/**
 * docs/architecture.md §2: the client gets the first usable answer of the active tier, so
 * the winner is whichever active upstream is fastest, not the best-ranked one.
 */
import { afterEach, expect, it } from 'vitest';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import { fleetBindings, fleetMember, rankedFleet, uniqueFleetName } from './fleet-worker';

/** Far slower than the other active upstream (5–60 ms), well inside the 300 ms fallback. */
const SLOWED_MS = 150;

const name = uniqueFleetName('fastest');
afterEach(() => resetControl(name));

it('answers with the fastest active upstream, even when it is ranked second', async () => {
  const { active } = rankedFleet();
  const [first, second] = active;
  if (first === undefined || second === undefined)
    throw new Error('active tier needs two upstreams');
  await setUpstreamDelay(first.name, SLOWED_MS, name);

  const { response, background } = await callWorker(
    getPath(queryBytes(name)),
    undefined,
    fleetBindings(),
  );
  const timing = response.headers.get('server-timing') ?? '';
  const message = await wireAnswer(response);
  await background;

  expect(timing).toMatch(/cache;desc="miss"/);
  expect(timing).toContain(`desc="${second.name}"`);
  expect(addressesOf(message)).toEqual(fleetMember(second.name).addresses);
});
