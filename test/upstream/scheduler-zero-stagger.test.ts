import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { runFakeFanout } from './fanout-harness';

it('sends batches back to back with a stagger of 0, still under max in flight', async () => {
  const { clock, net, report } = await runFakeFanout(
    {
      u1: { latencyMs: 10, result: 'ok' },
      u2: { latencyMs: 10, result: 'ok' },
      u3: { latencyMs: 30, result: 'ok' },
      u4: { latencyMs: 30, result: 'ok' },
      u5: { latencyMs: 30, result: 'ok' },
      u6: { latencyMs: 30, result: 'ok' },
      u7: { latencyMs: 30, result: 'ok' },
    },
    { settings: { ...DEFAULT_FANOUT_SETTINGS, staggerMs: 0 } },
  );

  // u1's answer at 10 ms starts the background while u2 still holds a slot;
  // u2 ending a moment later frees the slot for u6; u7 waits for u3.
  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt])).toEqual([
    ['u1', 0],
    ['u2', 0],
    ['u3', 10],
    ['u4', 10],
    ['u5', 10],
    ['u6', 10],
    ['u7', 40],
  ]);
  expect(net.peakInflight).toBe(4);
  expect(clock.pendingTimers).toBe(0);
});
