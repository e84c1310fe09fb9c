/**
 * A failed Cache API put after an accepted pool write is its own event
 * (`cache-put-error`): the lookup (and so the query log) says the write was accepted, because it
 * was, and the flight still succeeds.
 */
import { env } from 'cloudflare:test';
import { afterEach, expect, inject, it, vi } from 'vitest';
import { AnswerCache } from '../../src/cache/answer-cache';
import { LruCache } from '../../src/cache/lru-cache';
import { parseWireQuery } from '../../src/dns/query-parser';
import type { Lookup } from '../../src/observability/lookup';
import { durablePoolGateway } from '../../src/pool/pool-gateway';
import { VersionClock } from '../../src/pool/query-version';
import { InflightFlights } from '../../src/resolver/inflight-flights';
import { createResolver } from '../../src/resolver/resolver';
import { systemClock } from '../../src/upstream/clock';
import { exchange } from '../../src/upstream/exchange';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/fanout-settings';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';
import { uniqueFleetName } from './fleet-worker';

/** A colo cache that has nothing and refuses every put. */
class RefusingCache implements Cache {
  async match(): Promise<undefined> {
    return undefined;
  }
  async put(): Promise<void> {
    throw new Error('cache put refused');
  }
  async delete(): Promise<boolean> {
    return false;
  }
}

const name = uniqueFleetName('put-fails');
afterEach(() => resetControl(name));

it('logs an accepted pool write and a separate cache-put-error when the colo put fails', async () => {
  const lookups: Lookup[] = [];
  const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
  const tenant = `put-fails-${crypto.randomUUID().slice(0, 8)}`;
  const resolver = createResolver({
    tenant,
    upstreams: parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true }),
    fanout: DEFAULT_FANOUT_SETTINGS,
    exchange,
    health: new UpstreamHealth(systemClock).scoped(tenant),
    clock: systemClock,
    cache: new AnswerCache(new RefusingCache()),
    pools: durablePoolGateway(env.DOMAIN_POOL),
    versions: new VersionClock('cache-put-test', () => Date.now()),
    // What the query log and the metrics are made of (observability/query-record.ts).
    observe: (lookup) => lookups.push(lookup),
    inflight: new InflightFlights(),
    failures: new LruCache(100),
    prefetched: new WeakSet(),
  });
  const parsed = parseWireQuery(queryBytes(name));
  if (parsed.kind !== 'query') throw new Error('not a query');

  const work: Promise<unknown>[] = [];
  const resolution = await resolver.resolve(parsed.query, { waitUntil: (p) => work.push(p) });
  await Promise.all(work);
  const events = errors.mock.calls.map(([line]) => JSON.parse(String(line)).event);
  errors.mockRestore();

  expect(resolution.response).not.toBeNull();
  expect(lookups.map((lookup) => lookup.write)).toEqual(['accepted']);
  expect(events).toContain('cache-put-error');
  expect(events).not.toContain('pool-write-error');
});
