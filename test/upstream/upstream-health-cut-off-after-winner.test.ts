import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import {
  CUT_OFF_AFTER_WINNER,
  DEFAULT_HEALTH_TUNING,
  UpstreamHealth,
} from '../../src/upstream/upstream-health';
import { FakeNetwork, fakeUpstream, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

/** Every stat here belongs to one tenant scope. */
const SCOPE = 'tenant';

const { coolDownAfter } = DEFAULT_HEALTH_TUNING;

it('scores a cut-off after another upstream answered lower than a real timeout, but cools it down like one', () => {
  const health = new UpstreamHealth(new ManualClock()).scoped(SCOPE);
  for (const name of ['cut', 'dead']) {
    for (let i = 0; i < 5; i++) health.record(fakeUpstream(name), { ok: true, latencyMs: 100 });
  }

  for (let i = 0; i < coolDownAfter; i++) {
    health.record(fakeUpstream('cut'), { ok: false, latencyMs: 2900, kind: CUT_OFF_AFTER_WINNER });
    health.record(fakeUpstream('dead'), { ok: false, latencyMs: 2900, kind: 'timeout' });
  }

  const [cut, dead] = [fakeUpstream('cut'), fakeUpstream('dead')];
  expect(health.rank([dead, cut])).toEqual([cut, dead]);
  const byName = Object.fromEntries(health.snapshot().map((s) => [s.name, s]));
  expect(byName.cut).toMatchObject({ failures: 0, cutOffs: 3, consecutiveFailures: 3 });
  // A hanging upstream holds an in-flight slot until the deadline on every miss, whoever won.
  expect(byName.cut?.coolingUntil).not.toBeNull();
  expect(byName.dead).toMatchObject({ failures: 3, cutOffs: 0, consecutiveFailures: 3 });
  expect(byName.dead?.coolingUntil).not.toBeNull();
  // Both took at least 2.9 s: the latency average says so for both.
  expect(byName.cut?.ewmaMs).toBe(byName.dead?.ewmaMs);
  expect(byName.cut?.ewmaMs).toBeGreaterThan(1000);
});

it('reads a deadline timeout as a cut-off only when the fan-out had a winner', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const net = new FakeNetwork(clock, {
    fast: { latencyMs: 20, result: 'ok' },
    hung: { latencyMs: 0, result: 'never' },
  });
  const run = async () => health.recordFanout(await settleFanoutOn(clock, net));

  await run();
  expect(health.snapshot().find((s) => s.name === 'hung')).toMatchObject({
    cutOffs: 1,
    failures: 0,
    ewmaMs: DEFAULT_FANOUT_SETTINGS.deadlineMs,
  });

  net.set('fast', { latencyMs: 0, result: 'never' });
  await run();
  expect(health.snapshot().find((s) => s.name === 'hung')).toMatchObject({
    cutOffs: 1,
    failures: 1,
  });
  expect(health.snapshot().find((s) => s.name === 'fast')).toMatchObject({
    successes: 1,
    failures: 1,
  });
});

it("cools down an upstream that keeps hitting sequential mode's per-try timeout", async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const net = new FakeNetwork(clock, {
    hung: { latencyMs: 0, result: 'never' },
    good: { latencyMs: 20, result: 'ok' },
  });
  const settings = { ...DEFAULT_FANOUT_SETTINGS, mode: 'sequential' as const };
  // Config order puts the hung one first; every lookup waits FALLBACK_MS for it.
  for (let i = 0; i < coolDownAfter; i++) {
    const report = await settleFanoutOn(clock, net, { upstreams: net.upstreams, settings });
    expect(report.winner?.upstream.name).toBe('good');
    health.recordFanout(report);
  }

  expect(health.snapshot().find((s) => s.name === 'hung')?.coolingUntil).not.toBeNull();
  expect(health.plan(net.upstreams).map((u) => u.name)).toEqual(['good']);
});
