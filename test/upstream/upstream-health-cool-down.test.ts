import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { DEFAULT_HEALTH_TUNING, UpstreamHealth } from '../../src/upstream/upstream-health';
import { FakeNetwork, fakeUpstream, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

/** Every stat here belongs to one tenant scope. */
const SCOPE = 'tenant';

const { activeTierSize } = DEFAULT_FANOUT_SETTINGS;
const { baseCoolDownMs, maxCoolDownMs, coolDownAfter, probeIntervalMs } = DEFAULT_HEALTH_TUNING;
const MS_BETWEEN_LOOKUPS = 500;

it('asks a failing upstream in neither tier while it cools down, then asks it again', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 20, result: 'ok' },
    u2: { latencyMs: 30, result: 'ok' },
    u3: { latencyMs: 60, result: 'ok' },
    u4: { latencyMs: 80, result: 'ok' },
  });
  const ranked = () => health.rank(net.upstreams).map((u) => u.name);
  const lookup = async () => {
    health.recordFanout(
      await settleFanoutOn(clock, net, { upstreams: health.plan(net.upstreams) }),
    );
    await clock.advance(MS_BETWEEN_LOOKUPS);
  };
  for (let i = 0; i < 3; i++) await lookup();
  expect(ranked()).toEqual(['u1', 'u2', 'u3', 'u4']);

  net.set('u1', { latencyMs: 5, result: 'servfail' });
  await lookup();
  // One failure is enough to leave the active tier, not yet to cool down.
  expect(ranked().slice(0, activeTierSize)).not.toContain('u1');
  expect(health.snapshot().find((s) => s.name === 'u1')?.coolingUntil).toBeNull();

  // The background tier keeps asking it: two more failures start the cool-down.
  await lookup();
  await lookup();
  const coolingUntil = health.snapshot().find((s) => s.name === 'u1')?.coolingUntil ?? 0;
  expect(coolingUntil).toBeGreaterThan(clock.now());
  expect(ranked().at(-1)).toBe('u1');

  // It recovers, but nobody asks it before the cool-down ends: the first
  // cool-down is no longer than the probe period.
  net.set('u1', { latencyMs: 20, result: 'ok' });
  const callsBefore = net.callCount('u1');
  while (clock.now() < coolingUntil - MS_BETWEEN_LOOKUPS) {
    expect(health.plan(net.upstreams).map((u) => u.name)).not.toContain('u1');
    await lookup();
  }
  expect(net.callCount('u1')).toBe(callsBefore);

  await clock.advanceTo(coolingUntil);
  expect(health.plan(net.upstreams).map((u) => u.name)).toContain('u1');
});

it('probes a hanging upstream once per probe period while it cools down, and an answer ends it', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const net = new FakeNetwork(clock, {
    hung: { latencyMs: 0, result: 'never' },
    u2: { latencyMs: 20, result: 'ok' },
    u3: { latencyMs: 30, result: 'ok' },
    u4: { latencyMs: 40, result: 'ok' },
  });
  const askedAt: number[] = [];
  const lookup = async () => {
    const plan = health.plan(net.upstreams);
    if (plan.some((u) => u.name === 'hung')) askedAt.push(clock.now());
    health.recordFanout(await settleFanoutOn(clock, net, { upstreams: plan }));
    await clock.advance(MS_BETWEEN_LOOKUPS);
  };

  // Timeouts count although another upstream answered every client: three start the cool-down.
  for (let i = 0; i < coolDownAfter; i++) await lookup();
  expect(health.snapshot().find((s) => s.name === 'hung')).toMatchObject({
    consecutiveFailures: coolDownAfter,
  });
  expect(health.snapshot().find((s) => s.name === 'hung')?.coolingUntil).not.toBeNull();

  const coolingFrom = clock.now();
  const probesFrom = askedAt.length;
  const WATCH_MS = 120_000;
  while (clock.now() < coolingFrom + WATCH_MS) await lookup();
  const probes = askedAt.slice(probesFrom);
  // Every failed probe prolongs the cool-down, but the probes keep their period
  // (give or take the lookup that finds the probe due: up to a deadline later).
  const slowestPeriod = probeIntervalMs + DEFAULT_FANOUT_SETTINGS.deadlineMs + MS_BETWEEN_LOOKUPS;
  expect(probes.length).toBeGreaterThanOrEqual(Math.floor(WATCH_MS / slowestPeriod));
  expect(probes.length).toBeLessThanOrEqual(WATCH_MS / probeIntervalMs + 1);
  for (let i = 1; i < probes.length; i++) {
    expect((probes[i] ?? 0) - (probes[i - 1] ?? 0)).toBeGreaterThanOrEqual(probeIntervalMs);
  }
  expect(health.snapshot().find((s) => s.name === 'hung')?.coolingUntil).toBeGreaterThan(
    clock.now() + probeIntervalMs,
  );

  // It comes back: the next probe answers and it is asked on every lookup again.
  net.set('hung', { latencyMs: 10, result: 'ok' });
  const before = askedAt.length;
  await clock.advance(probeIntervalMs);
  await lookup();
  await lookup();
  await lookup();
  expect(askedAt.length - before).toBe(3);
  expect(health.snapshot().find((s) => s.name === 'hung')?.coolingUntil).toBeNull();
});

it('grows the cool-down with each consecutive failure, up to a cap', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const coolingUntil = () => health.snapshot()[0]?.coolingUntil;
  const fail = () =>
    health.record(fakeUpstream('u1'), { ok: false, latencyMs: 5, kind: 'refused' });

  for (let i = 1; i < coolDownAfter; i++) fail();
  expect(coolingUntil()).toBeNull();

  const lengths: number[] = [];
  for (let i = 0; i < 7; i++) {
    fail();
    lengths.push((coolingUntil() ?? 0) - clock.now());
  }

  expect(lengths).toEqual([
    baseCoolDownMs,
    baseCoolDownMs * 2,
    baseCoolDownMs * 4,
    baseCoolDownMs * 8,
    baseCoolDownMs * 16,
    maxCoolDownMs,
    maxCoolDownMs,
  ]);
});

it('ranks a cooling upstream last, plans it only as a due probe, and ends its cool-down on an answer', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock, { failurePenaltyMs: 0 }).scoped(SCOPE);
  const [u1, u2] = [fakeUpstream('u1'), fakeUpstream('u2')];
  health.record(u1, { ok: true, latencyMs: 10 });
  health.record(u2, { ok: true, latencyMs: 90 });
  // One more than it takes: a cool-down of twice the base, longer than a probe period.
  for (let i = 0; i <= coolDownAfter; i++) {
    health.record(u1, { ok: false, latencyMs: 1, kind: 'refused' });
  }

  expect(health.rank([u1, u2])).toEqual([u2, u1]);
  expect(health.plan([u1, u2])).toEqual([u2]);
  await clock.advance(probeIntervalMs);
  // The probe is due: last, and claimed by the first fan-out that plans it.
  expect(health.plan([u1, u2])).toEqual([u2, u1]);
  expect(health.plan([u1, u2])).toEqual([u2]);

  // The probe answered: the cool-down is over and the score decides again.
  health.record(u1, { ok: true, latencyMs: 10 });
  expect(health.plan([u1, u2])).toEqual([u1, u2]);
  // The run was reset: one new failure does not cool it down again.
  health.record(u1, { ok: false, latencyMs: 1, kind: 'refused' });
  expect(health.snapshot().find((s) => s.name === 'u1')?.coolingUntil).toBeNull();
});

it('asks every upstream, ranked, when all of them are cooling down', () => {
  const health = new UpstreamHealth(new ManualClock()).scoped(SCOPE);
  const [u1, u2] = [fakeUpstream('u1'), fakeUpstream('u2')];
  for (let i = 0; i < coolDownAfter; i++) {
    health.record(u1, { ok: false, latencyMs: 1, kind: 'refused' });
    health.record(u2, { ok: false, latencyMs: 1, kind: 'refused' });
  }
  expect(health.plan([u1, u2])).toEqual([u1, u2]);
});
