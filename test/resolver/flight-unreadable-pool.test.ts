/**
 * docs/architecture.md §4: the pool's answer races the upstreams' and is
 * served only when it is usable. A snapshot that cannot be turned into an
 * answer counts as no answer: a client whose upstreams all failed then gets
 * their failure at once, instead of waiting until the flight expires.
 */
import { expect, it } from 'vitest';
import { AnswerCache } from '../../src/cache/answer-cache';
import { EDE } from '../../src/dns/extended-errors';
import type { PoolOpening } from '../../src/pool/domain-pool';
import type { PoolGateway } from '../../src/pool/pool-gateway';
import { VersionClock } from '../../src/pool/query-version';
import { startFlight } from '../../src/resolver/flight';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { FakeNetwork, ManualClock } from '../support/manual-clock';

/** A snapshot whose records are not a list: entryFromSnapshot cannot read it. */
const UNREADABLE = {
  snapshot: { version: { startedAt: 1, counter: 0, isolate: 'x' }, records: null, negative: null },
  sweep: true,
} as unknown as PoolOpening;

it("answers with the upstreams' failure when the pool's snapshot cannot be read", async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 10, result: 'servfail' },
    u2: { latencyMs: 10, result: 'servfail' },
  });
  const unreadable: PoolGateway = {
    open: () => Promise.resolve(UNREADABLE),
    write: () => Promise.reject(new Error('no write expected to matter here')),
    inspect: () => Promise.resolve(null),
  };
  const flight = startFlight(
    {
      tenant: '_default',
      upstreams: net.upstreams,
      fanout: DEFAULT_FANOUT_SETTINGS,
      exchange: net.exchange,
      health: new UpstreamHealth(clock).scoped('_default'),
      clock,
      cache: new AnswerCache(null),
      pools: unreadable,
      versions: new VersionClock('test', () => clock.now()),
    },
    {
      id: 0,
      name: 'unreadable.test',
      type: 'A',
      qclass: 'IN',
      recursionDesired: true,
      checkingDisabled: false,
      dnssecOk: false,
      edns: null,
      upstreamQuery: new Uint8Array(12),
    },
    'key',
    'miss',
  );
  let answered = false;
  const answer = flight.answer.then((a) => {
    answered = true;
    return a;
  });
  await clock.runUntilIdle();
  expect(answered).toBe(true);
  const { entry, extendedErrors } = await answer;
  expect(entry).toBeNull();
  expect(extendedErrors.map((e) => e.code)).toEqual([EDE.NoReachableAuthority]);
  expect(extendedErrors[0]?.text).toBe('all 2 upstreams failed');
});
