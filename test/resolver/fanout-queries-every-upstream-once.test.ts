/**
 * docs/architecture.md §2: the background tier asks every upstream on every miss, and no
 * upstream is asked twice in one fan-out.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { fetchStats, resetControl } from '../support/control-client';
import { fleetBindings, uniqueFleetName } from './fleet-worker';

const name = uniqueFleetName('once');
afterEach(() => resetControl(name));

it('has sent exactly one query for the name to every upstream once the background settles', async () => {
  const { background } = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await background;

  const stats = await fetchStats(name);
  for (const member of inject('fleet')) {
    expect(stats.servers[member.name]?.names, member.name).toEqual({ [name]: 1 });
  }
  // Nothing outside the fleet was asked.
  expect(stats.servers['zone-doh']?.requests).toBe(0);
  expect(stats.servers['zone-tcp']?.requests).toBe(0);
});
