import { expect, it } from 'vitest';
import type { UpstreamAttempt } from '../../src/upstream/scheduler';
import { startFakeFanout } from './fanout-harness';

it('does not let a SERVFAIL from the fastest upstream win', async () => {
  const { clock, fanout } = startFakeFanout({
    u1: { latencyMs: 5, result: 'servfail' },
    u2: { latencyMs: 80, result: 'ok' },
  });
  let first: UpstreamAttempt | null | 'pending' = 'pending';
  void fanout.firstUsable.then((attempt) => {
    first = attempt;
  });

  await clock.advance(79);
  expect(first).toBe('pending');
  await clock.advance(1);

  const winner = await fanout.firstUsable;
  expect(winner?.upstream.name).toBe('u2');
  expect(winner?.endedAt).toBe(80);
  const report = await fanout.settled;
  expect(report.attempts[0]?.result).toMatchObject({
    ok: false,
    failure: { kind: 'rcode', rcode: 'SERVFAIL' },
  });
});

it('answers null as soon as every upstream has failed', async () => {
  const { clock, fanout } = startFakeFanout({
    u1: { latencyMs: 5, result: 'servfail' },
    u2: { latencyMs: 8, result: 'refused' },
    u3: { latencyMs: 10, result: 'servfail' },
  });

  await clock.advance(18);

  expect(await fanout.firstUsable).toBeNull();
  const report = await fanout.settled;
  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 5],
    ['u2', 0, 8],
    ['u3', 8, 18],
  ]);
  expect(clock.pendingTimers).toBe(0);
});
