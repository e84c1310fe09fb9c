import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { DEFAULT_HEALTH_TUNING, UpstreamHealth } from '../../src/upstream/upstream-health';
import { FakeNetwork, fakeUpstream, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

const { activeTierSize } = DEFAULT_FANOUT_SETTINGS;
const { baseCoolDownMs, maxCoolDownMs, coolDownAfter } = DEFAULT_HEALTH_TUNING;
const MS_BETWEEN_LOOKUPS = 500;

it('takes a failing upstream out of the active tier and brings it back after its cool-down', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock);
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 20, result: 'ok' },
    u2: { latencyMs: 30, result: 'ok' },
    u3: { latencyMs: 60, result: 'ok' },
    u4: { latencyMs: 80, result: 'ok' },
  });
  const ranked = () => health.rank(net.upstreams).map((u) => u.name);
  const lookup = async () => {
    health.recordFanout(
      await settleFanoutOn(clock, net, { upstreams: health.rank(net.upstreams) }),
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

  // It recovers; while cooling down it stays last, but every lookup still measures it.
  net.set('u1', { latencyMs: 20, result: 'ok' });
  const callsBefore = net.callCount('u1');
  while (clock.now() < coolingUntil - MS_BETWEEN_LOOKUPS) {
    await lookup();
    expect(ranked().at(-1)).toBe('u1');
  }
  expect(net.callCount('u1')).toBeGreaterThan(callsBefore);

  await clock.advanceTo(coolingUntil);
  expect(ranked()[0]).toBe('u1');
});

it('grows the cool-down with each consecutive failure, up to a cap', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock);
  const coolingUntil = () => health.snapshot()[0]?.coolingUntil;
  const fail = () => health.record('u1', { ok: false, latencyMs: 5, kind: 'refused' });

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

it('ranks a cooling upstream last, then by score again once the cool-down passed', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock, { failurePenaltyMs: 0 });
  const [u1, u2] = [fakeUpstream('u1'), fakeUpstream('u2')];
  health.record('u1', { ok: true, latencyMs: 10 });
  health.record('u2', { ok: true, latencyMs: 90 });
  for (let i = 0; i < coolDownAfter; i++) {
    health.record('u1', { ok: false, latencyMs: 1, kind: 'refused' });
  }

  expect(health.rank([u1, u2])).toEqual([u2, u1]);
  // A success meanwhile resets the run of failures but keeps the cool-down.
  health.record('u1', { ok: true, latencyMs: 10 });
  expect(health.rank([u1, u2])).toEqual([u2, u1]);

  await clock.advance(baseCoolDownMs);
  expect(health.rank([u1, u2])).toEqual([u1, u2]);
  // The run was reset: one new failure does not cool it down again.
  health.record('u1', { ok: false, latencyMs: 1, kind: 'refused' });
  expect(health.snapshot().find((s) => s.name === 'u1')?.coolingUntil).toBeNull();
});
