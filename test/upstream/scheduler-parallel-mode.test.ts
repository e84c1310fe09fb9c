import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { runFakeFanout } from './fanout-harness';

it('asks every upstream at t=0 in parallel mode, ignoring max in flight, and lets the rest finish', async () => {
  const { clock, net, fanout, report } = await runFakeFanout(
    {
      u1: { latencyMs: 90, result: 'ok' },
      u2: { latencyMs: 10, result: 'servfail' },
      u3: { latencyMs: 40, result: 'ok' },
      u4: { latencyMs: 400, result: 'ok' },
      u5: { latencyMs: 60, result: 'ok' },
      u6: { latencyMs: 0, result: 'never' },
    },
    { settings: { ...DEFAULT_FANOUT_SETTINGS, mode: 'parallel' } },
  );

  expect(net.peakInflight).toBe(6);
  expect((await fanout.firstUsable)?.upstream.name).toBe('u3');
  expect(report.attempts.map((a) => [a.upstream.name, a.tier, a.startedAt, a.endedAt])).toEqual([
    ['u1', 'active', 0, 90],
    ['u2', 'active', 0, 10],
    ['u3', 'active', 0, 40],
    ['u4', 'active', 0, 400],
    ['u5', 'active', 0, 60],
    ['u6', 'active', 0, 3000],
  ]);
  expect(clock.pendingTimers).toBe(0);
});
