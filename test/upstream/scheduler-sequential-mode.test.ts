import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { runFakeFanout } from './fanout-harness';

const sequential = { ...DEFAULT_FANOUT_SETTINGS, mode: 'sequential' } as const;

it('asks one upstream at a time in sequential mode and stops at the first usable answer', async () => {
  const { clock, net, report } = await runFakeFanout(
    {
      u1: { latencyMs: 30, result: 'servfail' },
      u2: { latencyMs: 20, result: 'refused' },
      u3: { latencyMs: 40, result: 'ok' },
      u4: { latencyMs: 10, result: 'ok' },
      u5: { latencyMs: 10, result: 'ok' },
    },
    { settings: sequential },
  );

  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 30],
    ['u2', 30, 50],
    ['u3', 50, 90],
  ]);
  expect(report.winner?.upstream.name).toBe('u3');
  expect(report.notStarted.map((u) => u.name)).toEqual(['u4', 'u5']);
  expect(clock.now() - report.startedAt).toBe(90);
  expect(net.peakInflight).toBe(1);
  expect([...net.calls.keys()]).toEqual(['u1', 'u2', 'u3']);
});

it('gives up on a silent upstream after the fallback time in sequential mode and asks the next', async () => {
  const { clock, net, fanout, report } = await runFakeFanout(
    {
      u1: { latencyMs: 15, result: 'servfail' },
      u2: { latencyMs: 0, result: 'never' },
      u3: { latencyMs: 10, result: 'ok' },
    },
    { settings: sequential },
  );

  expect((await fanout.firstUsable)?.upstream.name).toBe('u3');
  // u2 starts at 15 and is given up at 15 + fallbackMs (300); u3 answers 10 ms later.
  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 15],
    ['u2', 15, 315],
    ['u3', 315, 325],
  ]);
  expect(report.attempts[1]?.result.ok).toBe(false);
  expect(net.signals.get('u2')?.aborted).toBe(true);
  expect(net.peakInflight).toBe(1);
  expect(clock.pendingTimers).toBe(0);
});

it('lets the last upstream in sequential mode run until the deadline', async () => {
  const { clock, fanout, report } = await runFakeFanout(
    {
      u1: { latencyMs: 15, result: 'servfail' },
      u2: { latencyMs: 0, result: 'never' },
    },
    { settings: sequential },
  );

  expect(await fanout.firstUsable).toBeNull();
  // Nobody is left to fail over to, so the last one keeps its chance until the deadline.
  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 15],
    ['u2', 15, 3000],
  ]);
  expect(clock.pendingTimers).toBe(0);
});
