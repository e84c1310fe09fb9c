/**
 * docs/architecture.md §5: a hit in the last 10 % of an entry's TTL refreshes it in the
 * background, once; and while that refresh runs, clients keep getting the
 * whole (still fresh) pool, not just the subset the refresh's winner knows.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { PREFETCH_SHARE } from '../../src/resolver/resolver';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import {
  ageCachedAnswer,
  answerTtls,
  fleetBindings,
  fleetUnion,
  rankedFleet,
  requestsPerUpstream,
  uniqueFleetName,
  untilArrived,
} from './fleet-worker';

/** Keeps the refresh's background tier out while the test looks at the cache. */
const SLOW_BACKGROUND_MS = 400;

const name = uniqueFleetName('prefetch');
afterEach(() => resetControl(name));

async function hit() {
  const call = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(call.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  return { message: await wireAnswer(call.response), background: call.background };
}

it('refreshes an entry hit in its last 10 % once, and serves the full pool meanwhile', async () => {
  const miss = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await wireAnswer(miss.response);
  await miss.background;

  // The pool's entry is now in the last 10 % of its TTL.
  const remainingOf = (ttl: number) => Math.floor(ttl * PREFETCH_SHARE) - 1;
  const remainingS = remainingOf(await ageCachedAnswer(name, (ttl) => ttl - remainingOf(ttl)));
  const { background: slow } = rankedFleet();
  await Promise.all(slow.map((u) => setUpstreamDelay(u.name, SLOW_BACKGROUND_MS, name)));

  const first = await hit();
  const pool = addressesOf(first.message);
  expect([...pool].sort()).toEqual(fleetUnion());
  expect(Math.max(...answerTtls(first.message))).toBeLessThanOrEqual(remainingS);

  // The refresh's winner has answered once its background tier is out (the miss was the first query).
  await untilArrived(
    name,
    slow.map((u) => u.name),
    2,
  );
  const during = await hit();
  expect(addressesOf(during.message)).toEqual(pool);

  await Promise.all([first.background, during.background]);
  // One prefetch: every upstream saw the miss and the refresh, nothing more.
  const counts = await requestsPerUpstream(name);
  for (const member of inject('fleet')) expect(counts[member.name], member.name).toBe(2);

  const after = await hit();
  await after.background;
  expect(addressesOf(after.message)).toEqual(pool);
  expect(Math.min(...answerTtls(after.message))).toBeGreaterThan(remainingS);
});
