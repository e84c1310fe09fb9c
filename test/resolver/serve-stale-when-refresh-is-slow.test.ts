/**
 * docs/architecture.md §5 / RFC 8767 §5: when the refresh of an expired entry takes longer
 * than 1.8 s, the client gets the stale entry (TTL 30, EDE 3) without waiting
 * for it, and the refresh still completes in the background and refills the
 * cache with the merged pool.
 */
import { afterEach, expect, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
import { STALE_ANSWER_TTL, STALE_REFRESH_WAIT_MS } from '../../src/resolver/resolver';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import {
  ageCachedAnswer,
  answerTtls,
  CLIENT_OPT,
  fleetBindings,
  fleetUnion,
  rankedFleet,
  uniqueFleetName,
} from './fleet-worker';

/** Longer than the stale wait, well inside the 3 s fan-out deadline. */
const SLOW_MS = STALE_REFRESH_WAIT_MS + 400;
/**
 * The last background upstream only gets a slot (MAX_INFLIGHT 4) when the
 * slow ones answer; it must answer before the deadline, or its addresses,
 * expired with the rest of the pool, are missing from the refresh.
 */
const LAST_MS = 500;

const name = uniqueFleetName('slow-refresh');
afterEach(() => resetControl(name));

it('serves stale after 1.8 s of a slow refresh, and the refresh then refills the cache', async () => {
  const query = queryBytes(name, 'A', 0, { additionals: [CLIENT_OPT] });
  const first = await callWorker(getPath(query), undefined, fleetBindings());
  await wireAnswer(first.response);
  await first.background;

  await ageCachedAnswer(name, (ttl) => ttl + 60);
  const ranked = rankedFleet();
  const last = ranked.background.at(-1)?.name;
  await Promise.all(
    [...ranked.active, ...ranked.background].map((u) =>
      setUpstreamDelay(u.name, u.name === last ? LAST_MS : SLOW_MS, name),
    ),
  );

  const stale = await callWorker(getPath(query), undefined, fleetBindings());
  let refreshed = false;
  const background = stale.background.then(() => {
    refreshed = true;
  });
  const message = await wireAnswer(stale.response);
  // The client was answered while the refresh was still out.
  expect(refreshed).toBe(false);
  expect(stale.response.headers.get('server-timing')).toMatch(/cache;desc="stale"/);
  expect(new Set(answerTtls(message))).toEqual(new Set([STALE_ANSWER_TTL]));
  expect(readExtendedErrors(message).map((e) => e.code)).toEqual([EDE.StaleAnswer]);

  await background;
  const next = await callWorker(getPath(query), undefined, fleetBindings());
  expect(next.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const fresh = await wireAnswer(next.response);
  await next.background;
  expect([...addressesOf(fresh)].sort()).toEqual(fleetUnion());
  expect(readExtendedErrors(fresh)).toEqual([]);
  expect(Math.min(...answerTtls(fresh))).toBeGreaterThan(STALE_ANSWER_TTL);
});
