/**
 * The race of docs/architecture.md §4 through the worker, against loopback upstreams whose
 * delays this test controls: query A answers fast but its background tier is
 * slow; A's cache entry expires; query B's fast background writes first; A's
 * background finishes last. A's write is rejected, B's pool stays, and the
 * next client gets B's pool in B's order.
 *
 * The fleet answers with a fixed 60 s TTL, so "the entry expires" is done by
 * ageing A's answer instead of waiting a minute: the winner's answer that
 * A's flight hands to joining clients until its pool write lands (isolate
 * memory never holds a winner's subset).
 */
import { afterEach, expect, it, vi } from 'vitest';
import {
  ageInflightAnswer,
  fleetBindings,
  poolStub,
  rankedFleet,
  uniqueFleetName,
  untilArrived,
} from '../resolver/fleet-worker';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { fetchStats, resetControl, setUpstreamDelay } from '../support/control-client';

/**
 * A's background upstreams answer after this long, each a little sooner than
 * the one before so A's merge order differs from B's: long enough for B to
 * start, answer and write in between, well inside the 3 s fan-out deadline.
 */
const SLOW_BACKGROUND_MS = [1_500, 1_400, 1_300];
const FAST_MS = 1;

const name = uniqueFleetName('race');
afterEach(async () => {
  vi.restoreAllMocks();
  await resetControl(name);
});

it("rejects query A's late pool write and keeps serving query B's pool in B's order", async () => {
  const logged: Array<Record<string, unknown>> = [];
  const log = console.log.bind(console);
  vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
    if (typeof line === 'string' && line.includes(name)) logged.push(JSON.parse(line));
    else log(line);
  });
  const { background } = rankedFleet();
  const slow = background.map((u) => u.name);
  await Promise.all(slow.map((u, i) => setUpstreamDelay(u, SLOW_BACKGROUND_MS[i] ?? 1_500, name)));

  // Query A: answered by the active tier, background still out.
  const a = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(a.response.headers.get('server-timing')).toMatch(/cache;desc="miss"/);
  await wireAnswer(a.response);
  let aSettled = false;
  const aBackground = a.background.then(() => {
    aSettled = true;
  });
  await untilArrived(name, slow);

  // A's entry expires (aged past its TTL), and the background upstreams become fast for B.
  await ageInflightAnswer(name, (ttl) => ttl + 1);
  await Promise.all(slow.map((u) => setUpstreamDelay(u, FAST_MS, name)));

  // Query B: a later version; its background finishes and writes while A's is still out.
  const b = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(b.response.headers.get('server-timing')).toMatch(/cache;desc="miss"/);
  await b.background;
  expect(aSettled).toBe(false);

  const afterB = await poolStub(name).inspect('A');
  if (afterB === null) throw new Error("B's write did not reach the pool");
  expect(afterB.rejectedWrites).toBe(0);
  const bOrder = afterB.records.map((r) => r.data);
  expect(bOrder).toHaveLength(6);

  // A's background finishes last: its write is rejected and changes nothing but the counter.
  await aBackground;
  const afterA = await poolStub(name).inspect('A');
  expect(afterA?.version).toBe(afterB.version);
  expect(afterA?.rejectedWrites).toBe(1);
  expect(afterA?.records.map((r) => r.data)).toEqual(bOrder);
  expect(afterA?.records.map((r) => r.expiresAt)).toEqual(afterB.records.map((r) => r.expiresAt));
  expect(logged.map((entry) => entry.write)).toEqual(['accepted', 'rejected']);

  // The next client is served from the cache, B's pool in B's order, with no upstream asked.
  const asked = await fetchStats(name);
  const next = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(next.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  expect(addressesOf(await wireAnswer(next.response))).toEqual(bOrder);
  await next.background;
  expect(await fetchStats(name)).toEqual(asked);
});
