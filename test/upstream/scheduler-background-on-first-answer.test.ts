import { expect, it } from 'vitest';
import { runFakeFanout } from './fanout-harness';

it('starts the background tier at the first usable answer, one batch every 50 ms', async () => {
  const { clock, fanout, report } = await runFakeFanout({
    u1: { latencyMs: 50, result: 'ok' },
    u2: { latencyMs: 60, result: 'ok' },
    u3: { latencyMs: 30, result: 'ok' },
    u4: { latencyMs: 30, result: 'ok' },
    u5: { latencyMs: 30, result: 'ok' },
    u6: { latencyMs: 30, result: 'ok' },
    u7: { latencyMs: 30, result: 'ok' },
  });

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
  const { report } = await runFakeFanout({
    u1: { latencyMs: 50, result: 'ok' },
    u2: { latencyMs: 50, result: 'ok' },
    u3: { latencyMs: 40, result: 'ok' },
    u4: { latencyMs: 40, result: 'ok' },
    u5: { latencyMs: 40, result: 'ok' },
  });

  expect(Object.fromEntries(report.attempts.map((a) => [a.upstream.name, a.startedAt]))).toEqual({
    u1: 0,
    u2: 0,
    u3: 50,
    u4: 50,
    u5: 100,
  });
});
