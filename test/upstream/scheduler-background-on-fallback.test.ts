import { expect, it } from 'vitest';
import { startFakeFanout } from './fanout-harness';

it('starts the background tier when the 300 ms fallback timer fires', async () => {
  const { clock, net, fanout } = startFakeFanout({
    u1: { latencyMs: 1000, result: 'ok' },
    u2: { latencyMs: 1200, result: 'ok' },
    u3: { latencyMs: 30, result: 'ok' },
    u4: { latencyMs: 40, result: 'ok' },
    u5: { latencyMs: 30, result: 'ok' },
  });

  await clock.advance(299);
  expect(net.calls.size).toBe(2);
  await clock.advance(1);
  expect([...net.calls.keys()]).toEqual(['u1', 'u2', 'u3', 'u4']);

  await clock.runUntilIdle();
  const report = await fanout.settled;

  expect(Object.fromEntries(report.attempts.map((a) => [a.upstream.name, a.startedAt]))).toEqual({
    u1: 0,
    u2: 0,
    u3: 300,
    u4: 300,
    u5: 350,
  });
  expect(report.winner?.upstream.name).toBe('u3');
  expect(report.winner?.endedAt).toBe(330);
  expect(clock.pendingTimers).toBe(0);
});
