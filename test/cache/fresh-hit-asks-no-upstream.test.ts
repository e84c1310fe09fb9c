/**
 * docs/architecture.md §1.3: a fresh hit is answered from the cache with no network call at
 * all: no upstream sees the query again.
 */
import { afterEach, expect, it } from 'vitest';
import { fleetBindings, requestsPerUpstream, uniqueFleetName } from '../resolver/fleet-worker';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { fetchStats, resetControl } from '../support/control-client';

const name = uniqueFleetName('fresh-hit');
afterEach(() => resetControl(name));

it('answers a fresh hit without sending any query upstream', async () => {
  const miss = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await wireAnswer(miss.response);
  await miss.background;
  const before = await fetchStats(name);
  expect(Object.values(await requestsPerUpstream(name)).every((n) => n === 1)).toBe(true);

  const hit = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  const timing = hit.response.headers.get('server-timing') ?? '';
  const message = await wireAnswer(hit.response);
  await hit.background;

  expect(timing).toMatch(/cache;desc="hit"/);
  // No winner: every phase is named, the upstream wait is 0 and no exchange is reported.
  expect(timing).toMatch(/upstream;dur=0\.00(,|$)/);
  expect(timing).not.toMatch(/exchange;/);
  expect(addressesOf(message).length).toBeGreaterThan(0);
  expect(await fetchStats(name)).toEqual(before);
});
