import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS, startFanout } from '../../src/upstream/scheduler';
import { FakeNetwork, ManualClock } from '../support/manual-clock';

it('starts the background tier at the first usable answer, one batch every 50 ms', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 50, result: 'ok' },
    u2: { latencyMs: 60, result: 'ok' },
    u3: { latencyMs: 30, result: 'ok' },
    u4: { latencyMs: 30, result: 'ok' },
    u5: { latencyMs: 30, result: 'ok' },
    u6: { latencyMs: 30, result: 'ok' },
    u7: { latencyMs: 30, result: 'ok' },
  });
  const fanout = startFanout({
    upstreams: net.upstreams,
    query: new Uint8Array(12),
    exchange: net.exchange,
    settings: DEFAULT_FANOUT_SETTINGS,
    clock,
  });

  await clock.runUntilIdle();
  const report = await fanout.settled;

  const winner = await fanout.firstUsable;
  expect(winner?.upstream.name).toBe('u1');
  expect(winner?.endedAt).toBe(50);
  expect(report.attempts.map((a) => [a.upstream.name, a.tier, a.startedAt, a.endedAt])).toEqual([
    ['u1', 'active', 0, 50],
    ['u2', 'active', 0, 60],
    ['u3', 'background', 50, 80],
    ['u4', 'background', 50, 80],
    ['u5', 'background', 100, 130],
    ['u6', 'background', 100, 130],
    ['u7', 'background', 150, 180],
  ]);
  expect(report.winner).toBe(winner);
  expect(report.notStarted).toEqual([]);
  expect(clock.pendingTimers).toBe(0);
});

it('follows the five-upstream timeline of the spec', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 50, result: 'ok' },
    u2: { latencyMs: 50, result: 'ok' },
    u3: { latencyMs: 40, result: 'ok' },
    u4: { latencyMs: 40, result: 'ok' },
    u5: { latencyMs: 40, result: 'ok' },
  });
  const fanout = startFanout({
    upstreams: net.upstreams,
    query: new Uint8Array(12),
    exchange: net.exchange,
    settings: DEFAULT_FANOUT_SETTINGS,
    clock,
  });

  await clock.runUntilIdle();
  const report = await fanout.settled;

  expect(Object.fromEntries(report.attempts.map((a) => [a.upstream.name, a.startedAt]))).toEqual({
    u1: 0,
    u2: 0,
    u3: 50,
    u4: 50,
    u5: 100,
  });
});
