/**
 * docs/architecture.md §2: a young isolate starts from its colo's health snapshot.
 * The snapshot's round trip through UpstreamHealth, and what `adopt` refuses.
 */
import { expect, it } from 'vitest';
import {
  HEALTH_SNAPSHOT_MAX_AGE_MS,
  MAX_HEALTH_SNAPSHOT_BYTES,
  MAX_HEALTH_SNAPSHOT_UPSTREAMS,
  parseHealthSnapshotText,
} from '../../src/upstream/health-snapshot';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { FakeNetwork, fakeUpstream, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

const SCOPE = 'tenant';
const MS_BETWEEN_LOOKUPS = 500;

/** An isolate that has learnt: u1 (first in config) is slow, u2 fails and cools down. */
async function learntIsolate() {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock);
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 250, result: 'ok' },
    u2: { latencyMs: 5, result: 'servfail' },
    u3: { latencyMs: 40, result: 'ok' },
    u4: { latencyMs: 20, result: 'ok' },
    u5: { latencyMs: 60, result: 'ok' },
  });
  const scoped = health.scoped(SCOPE);
  for (let i = 0; i < 4; i++) {
    scoped.recordFanout(
      await settleFanoutOn(clock, net, { upstreams: scoped.plan(net.upstreams) }),
    );
    await clock.advance(MS_BETWEEN_LOOKUPS);
  }
  return { clock, health, net };
}

const names = (upstreams: readonly { name: string }[]) => upstreams.map((u) => u.name);

it('ranks and plans like the isolate that shared the snapshot', async () => {
  const { clock, health, net } = await learntIsolate();
  const source = health.scoped(SCOPE);
  expect(names(source.rank(net.upstreams))).toEqual(['u4', 'u3', 'u5', 'u1', 'u2']);

  // Through JSON, as it travels through the colo's cache.
  const shared: unknown = JSON.parse(JSON.stringify(health.shareSnapshot(SCOPE, clock.now())));
  const fresh = new UpstreamHealth(clock);
  expect(names(fresh.scoped(SCOPE).rank(net.upstreams))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
  expect(fresh.adopt(SCOPE, shared, clock.now())).toBe(5);

  expect(names(fresh.scoped(SCOPE).rank(net.upstreams))).toEqual(names(source.rank(net.upstreams)));
  // The cool-down came along: u2 is asked by no tier.
  expect(names(fresh.scoped(SCOPE).plan(net.upstreams))).toEqual(['u4', 'u3', 'u5', 'u1']);
  // Only the scope it was adopted into.
  expect(names(fresh.scoped('other').rank(net.upstreams))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);
});

it('never overwrites what the adopting isolate learnt itself', async () => {
  const { clock, health, net } = await learntIsolate();
  const shared = health.shareSnapshot(SCOPE, clock.now());
  const fresh = new UpstreamHealth(clock);
  const [u1] = net.upstreams;
  if (u1 === undefined) throw new Error('no upstream');
  fresh.record(SCOPE, u1, { ok: true, latencyMs: 3 });

  expect(fresh.adopt(SCOPE, shared, clock.now())).toBe(4);
  const mine = fresh.scoped(SCOPE).snapshot();
  expect(mine.find((s) => s.name === 'u1')?.ewmaMs).toBe(3);
  expect(names(fresh.scoped(SCOPE).rank(net.upstreams))[0]).toBe('u1');

  // A second snapshot does not move what the first one seeded either.
  const before = fresh.scoped(SCOPE).snapshot();
  expect(fresh.adopt(SCOPE, shared, clock.now())).toBe(0);
  expect(fresh.scoped(SCOPE).snapshot()).toEqual(before);
});

it('ignores figures older than the bound, counting the time since the snapshot was taken', async () => {
  const { clock, health, net } = await learntIsolate();
  const shared = health.shareSnapshot(SCOPE, clock.now());
  await clock.advance(HEALTH_SNAPSHOT_MAX_AGE_MS + 1);
  const fresh = new UpstreamHealth(clock);
  expect(fresh.adopt(SCOPE, shared, clock.now())).toBe(0);
  expect(names(fresh.scoped(SCOPE).rank(net.upstreams))).toEqual(['u1', 'u2', 'u3', 'u4', 'u5']);

  // An entry that was already old when shared is ignored alone.
  const mixed = {
    ...shared,
    takenAt: clock.now(),
    upstreams: shared.upstreams.map((u) =>
      u.name === 'u1' ? { ...u, ageMs: HEALTH_SNAPSHOT_MAX_AGE_MS + 1 } : { ...u, ageMs: 0 },
    ),
  };
  expect(fresh.adopt(SCOPE, mixed, clock.now())).toBe(4);
  expect(
    fresh
      .scoped(SCOPE)
      .snapshot()
      .map((s) => s.name),
  ).not.toContain('u1');
});

it('ignores garbage, wrong shapes and oversized snapshots without throwing', async () => {
  const { clock, health } = await learntIsolate();
  const good = health.shareSnapshot(SCOPE, clock.now());
  const [entry] = good.upstreams;
  if (entry === undefined) throw new Error('empty snapshot');
  const withEntry = (patch: Record<string, unknown>) => ({
    ...good,
    upstreams: [{ ...entry, ...patch }],
  });
  const bad: unknown[] = [
    null,
    42,
    'snapshot',
    [],
    {},
    { ...good, v: 2 },
    { ...good, takenAt: 'now' },
    { ...good, upstreams: {} },
    { ...good, upstreams: [null] },
    withEntry({ url: 7 }),
    withEntry({ url: '' }),
    withEntry({ url: 'x'.repeat(5_000) }),
    withEntry({ ewmaMs: -1 }),
    withEntry({ ewmaMs: Number.NaN }),
    withEntry({ ewmaMs: 1e12 }),
    withEntry({ failureRate: 2 }),
    withEntry({ consecutiveFailures: 1.5 }),
    withEntry({ coolingMs: -5 }),
    withEntry({ ageMs: '0' }),
    { ...good, upstreams: Array.from({ length: MAX_HEALTH_SNAPSHOT_UPSTREAMS + 1 }, () => entry) },
  ];
  for (const value of bad) {
    const fresh = new UpstreamHealth(clock);
    expect(fresh.adopt(SCOPE, value, clock.now()), JSON.stringify(value)?.slice(0, 80)).toBe(0);
    expect(fresh.snapshot()).toEqual([]);
  }

  expect(parseHealthSnapshotText('{"v":1,')).toBeNull();
  const padded = JSON.stringify({ ...good, pad: 'x'.repeat(MAX_HEALTH_SNAPSHOT_BYTES) });
  expect(parseHealthSnapshotText(padded)).toBeNull();
  expect(parseHealthSnapshotText(JSON.stringify(good))).toEqual(good);
});

it('shares at most the bounded number of upstreams, the most recently measured first', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock);
  const count = MAX_HEALTH_SNAPSHOT_UPSTREAMS + 10;
  for (let i = 0; i < count; i++) {
    health.record(SCOPE, fakeUpstream(`u${i}`), { ok: true, latencyMs: 10 });
    await clock.advance(1);
  }
  const shared = health.shareSnapshot(SCOPE, clock.now());
  expect(shared.upstreams).toHaveLength(MAX_HEALTH_SNAPSHOT_UPSTREAMS);
  expect(shared.upstreams[0]?.name).toBe(`u${count - 1}`);
  expect(JSON.stringify(shared).length).toBeLessThanOrEqual(MAX_HEALTH_SNAPSHOT_BYTES);
});
