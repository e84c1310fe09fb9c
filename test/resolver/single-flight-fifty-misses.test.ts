/**
 * docs/architecture.md §1.4: identical misses in flight in one isolate share one fan-out, so
 * a burst of clients asking the same new name costs each upstream one query.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';
import { fleetBindings, requestsPerUpstream, uniqueFleetName } from './fleet-worker';

const CLIENTS = 50;

const name = uniqueFleetName('burst');
afterEach(() => resetControl(name));

it('sends at most one query per upstream for 50 concurrent identical misses', async () => {
  const calls = await Promise.all(
    Array.from({ length: CLIENTS }, (_, id) =>
      callWorker(getPath(queryBytes(name, 'A', id)), undefined, fleetBindings()),
    ),
  );
  const answers = await Promise.all(calls.map((call) => wireAnswer(call.response)));
  await Promise.all(calls.map((call) => call.background));

  // Every client got an answer, with its own ID echoed.
  expect(answers.map((answer) => answer.id)).toEqual(
    Array.from({ length: CLIENTS }, (_, id) => id),
  );
  for (const answer of answers) expect(addressesOf(answer).length).toBeGreaterThan(0);

  const counts = await requestsPerUpstream(name);
  for (const member of inject('fleet')) {
    expect(counts[member.name], member.name).toBeLessThanOrEqual(1);
  }
  // The one fan-out did happen, background tier included.
  expect(Object.values(counts).reduce((sum, n) => sum + n, 0)).toBe(inject('fleet').length);
});
