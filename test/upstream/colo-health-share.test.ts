/**
 * docs/architecture.md §2: how often an isolate reads and writes its colo's health
 * snapshot, and what it does with a broken one. A real Cache API cache (one
 * named cache per test, like one colo), counted; time is a manual clock.
 */
import { expect, it } from 'vitest';
import {
  ColoHealthShare,
  HEALTH_SNAPSHOT_INTERVAL_MS,
  HEALTH_SNAPSHOT_LOAD_MS,
  HEALTH_SNAPSHOT_RETRY_MS,
  healthSnapshotUrl,
} from '../../src/upstream/colo-health-share';
import { MAX_HEALTH_SNAPSHOT_BYTES } from '../../src/upstream/health-snapshot';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { fakeUpstream, ManualClock } from '../support/manual-clock';

const SCOPE = 'tenant';

/** A colo cache that counts what is asked of it. */
class CountingCache implements Cache {
  matches = 0;
  puts = 0;
  constructor(private readonly inner: Cache) {}
  delete(request: RequestInfo | URL, options?: CacheQueryOptions): Promise<boolean> {
    return this.inner.delete(request, options);
  }
  match(request: RequestInfo | URL, options?: CacheQueryOptions): Promise<Response | undefined> {
    this.matches++;
    return this.inner.match(request, options);
  }
  put(request: RequestInfo | URL, response: Response): Promise<void> {
    this.puts++;
    return this.inner.put(request, response);
  }
}

/** As the worker stores it: the Cache API keeps nothing without a lifetime. */
function cached(body: string): Response {
  return new Response(body, { headers: { 'cache-control': 'max-age=60' } });
}

async function colo(): Promise<CountingCache> {
  return new CountingCache(await caches.open(`colo-${crypto.randomUUID()}`));
}

/** An isolate that measured u1 once at `latencyMs`. */
function learnt(clock: ManualClock, latencyMs = 30): UpstreamHealth {
  const health = new UpstreamHealth(clock);
  health.record(SCOPE, fakeUpstream('u1'), { ok: true, latencyMs });
  return health;
}

it('publishes a scope at most once per interval', async () => {
  const clock = new ManualClock();
  const cache = await colo();
  const share = new ColoHealthShare(learnt(clock), cache, clock).scoped(SCOPE);

  await share.publish();
  expect(share.publish()).toBeNull();
  await clock.advance(HEALTH_SNAPSHOT_INTERVAL_MS - 1);
  expect(share.publish()).toBeNull();
  await clock.advance(1);
  await share.publish();
  expect(cache.puts).toBe(2);
});

it('loads a scope once, one load at a time, and retries a missing one only after a while', async () => {
  const clock = new ManualClock();
  const cache = await colo();
  const fresh = new ColoHealthShare(new UpstreamHealth(clock), cache, clock).scoped(SCOPE);

  const loading = fresh.prepare();
  expect(fresh.prepare()).toBeNull();
  await loading;
  expect(fresh.prepare()).toBeNull();
  expect(cache.matches).toBe(1);

  // Another isolate publishes; this one only looks again after the retry period.
  await new ColoHealthShare(learnt(clock), cache, clock).scoped(SCOPE).publish();
  await clock.advance(HEALTH_SNAPSHOT_RETRY_MS - 1);
  expect(fresh.prepare()).toBeNull();
  await clock.advance(1);
  await fresh.prepare();
  expect(cache.matches).toBe(2);

  // Adopted: never loaded again.
  await clock.advance(HEALTH_SNAPSHOT_RETRY_MS);
  expect(fresh.prepare()).toBeNull();
});

it('loads again when a load never settled (its request was cancelled)', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock);
  const hanging: Cache = {
    delete: () => Promise.resolve(false),
    match: () => new Promise<undefined>(() => {}),
    put: () => Promise.resolve(),
  };
  const stuck = new ColoHealthShare(health, hanging, clock);
  expect(stuck.prepare(SCOPE)).not.toBeNull();
  await clock.advance(HEALTH_SNAPSHOT_LOAD_MS - 1);
  expect(stuck.prepare(SCOPE)).toBeNull();
  await clock.advance(1);
  expect(stuck.prepare(SCOPE)).not.toBeNull();
});

it('stops loading a scope once the isolate recorded a fan-out of its own', async () => {
  const clock = new ManualClock();
  const cache = await colo();
  const share = new ColoHealthShare(learnt(clock), cache, clock).scoped(SCOPE);
  await share.publish();
  expect(share.prepare()).toBeNull();
  expect(cache.matches).toBe(0);
});

it('ignores garbage, wrong shapes and oversized snapshots in the colo cache', async () => {
  const clock = new ManualClock();
  const cache = await colo();
  const valid = JSON.stringify(learnt(clock, 900).shareSnapshot(SCOPE, clock.now()));
  const bodies = [
    'not json',
    '{"v":1,"takenAt":0,"upstreams":[{"url":1}]}',
    '[]',
    valid.replace('}]', `,"pad":"${'x'.repeat(MAX_HEALTH_SNAPSHOT_BYTES)}"}]`),
  ];
  for (const body of bodies) {
    await cache.put(healthSnapshotUrl(SCOPE), cached(body));
    expect(await cache.match(healthSnapshotUrl(SCOPE))).toBeDefined();
    const health = new UpstreamHealth(clock);
    await new ColoHealthShare(health, cache, clock).prepare(SCOPE);
    expect(health.snapshot(), body.slice(0, 40)).toEqual([]);
  }

  // The same cache with the valid snapshot is adopted: the key and the reading work.
  await cache.put(healthSnapshotUrl(SCOPE), cached(valid));
  const health = new UpstreamHealth(clock);
  await new ColoHealthShare(health, cache, clock).prepare(SCOPE);
  expect(health.snapshot().map((s) => s.ewmaMs)).toEqual([900]);
});
