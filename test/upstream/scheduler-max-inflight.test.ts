import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { runFakeFanout } from './fanout-harness';

it('never exceeds max in flight; a batch waits for free slots and its gap counts from then', async () => {
  const { net, report } = await runFakeFanout({
    u1: { latencyMs: 40, result: 'ok' },
    u2: { latencyMs: 40, result: 'ok' },
    u3: { latencyMs: 200, result: 'ok' },
    u4: { latencyMs: 220, result: 'ok' },
    u5: { latencyMs: 200, result: 'ok' },
    u6: { latencyMs: 200, result: 'ok' },
    u7: { latencyMs: 100, result: 'ok' },
    u8: { latencyMs: 100, result: 'ok' },
    u9: { latencyMs: 100, result: 'ok' },
    u10: { latencyMs: 100, result: 'ok' },
  });

  expect(net.peakInflight).toBe(DEFAULT_FANOUT_SETTINGS.maxInflight);
  expect(Object.fromEntries(report.attempts.map((a) => [a.upstream.name, a.startedAt]))).toEqual({
    u1: 0,
    u2: 0,
    u3: 40,
    u4: 40,
    u5: 90,
    // Due at 140 with four requests open: each member takes the next free slot.
    u7: 240,
    u8: 260,
    // 50 ms after the previous batch was complete, not after it was due.
    u9: 310,
    u10: 310,
    u6: 90,
  });
  expect(report.attempts.map((a) => a.upstream.name)).toEqual([
    'u1',
    'u2',
    'u3',
    'u4',
    'u5',
    'u6',
    'u7',
    'u8',
    'u9',
    'u10',
  ]);
});

it('never exceeds a max in flight of 2 with slow background upstreams', async () => {
  const behaviours = Object.fromEntries(
    Array.from(
      { length: 12 },
      (_, i) => [`u${i + 1}`, { latencyMs: 90 + i * 7, result: 'ok' }] as const,
    ),
  );
  const { net, report } = await runFakeFanout(behaviours, {
    settings: { ...DEFAULT_FANOUT_SETTINGS, maxInflight: 2 },
  });

  expect(net.peakInflight).toBe(2);
  expect(report.attempts).toHaveLength(12);
  // Recomputed from the report: at no instant were more than two attempts open.
  for (const a of report.attempts) {
    const openAtStart = report.attempts.filter(
      (b) => b.startedAt <= a.startedAt && b.endedAt > a.startedAt,
    );
    expect(openAtStart.length).toBeLessThanOrEqual(2);
  }
});
