import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import type { FakeBehaviour } from '../support/manual-clock';
import { runFakeFanout, startFakeFanout } from './fanout-harness';

const { deadlineMs, maxInflight } = DEFAULT_FANOUT_SETTINGS;

function fiftyUpstreams(behaviour: (i: number) => FakeBehaviour): Record<string, FakeBehaviour> {
  return Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`u${i + 1}`, behaviour(i)]));
}

it('asks all 50 fast upstreams and settles well within the deadline', async () => {
  const { clock, net, report } = await runFakeFanout(
    fiftyUpstreams((i) => ({ latencyMs: 10 + (i % 5) * 5, result: 'ok' })),
  );

  expect(report.attempts).toHaveLength(50);
  expect(report.notStarted).toEqual([]);
  // 48 background upstreams in batches of 2, 50 ms apart, from the first answer at 10 ms.
  expect(report.attempts.at(-1)?.startedAt).toBe(10 + 23 * 50);
  expect(clock.now() - report.startedAt).toBeLessThanOrEqual(deadlineMs);
  expect(net.peakInflight).toBeLessThanOrEqual(maxInflight);
  expect(clock.pendingTimers).toBe(0);
});

it('settles 50 slow and dead upstreams exactly at the deadline', async () => {
  const { clock, net, fanout } = startFakeFanout(
    fiftyUpstreams((i) =>
      i % 4 === 3
        ? { latencyMs: 0, result: 'never' }
        : { latencyMs: 150 + (i % 7) * 40, result: 'ok' },
    ),
  );
  let settledAt: number | null = null;
  void fanout.settled.then(() => {
    settledAt = clock.now();
  });

  await clock.runUntilIdle();
  const report = await fanout.settled;

  expect(settledAt).toBe(report.startedAt + deadlineMs);
  expect(report.attempts.length + report.notStarted.length).toBe(50);
  expect(report.notStarted.length).toBeGreaterThan(0);
  expect(report.attempts.every((a) => a.endedAt <= deadlineMs)).toBe(true);
  expect(report.attempts.every((a) => a.startedAt < deadlineMs)).toBe(true);
  expect([...net.calls.values()].every((count) => count === 1)).toBe(true);
  expect(net.peakInflight).toBeLessThanOrEqual(maxInflight);
  expect(clock.pendingTimers).toBe(0);
});
