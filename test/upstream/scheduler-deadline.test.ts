import { expect, it } from 'vitest';
import type { UpstreamAttempt } from '../../src/upstream/scheduler';
import { runFakeFanout, startFakeFanout } from './fanout-harness';

it('aborts every open request at the deadline and starts nothing after it', async () => {
  const { clock, net, fanout } = startFakeFanout({
    u1: { latencyMs: 0, result: 'never' },
    u2: { latencyMs: 0, result: 'never' },
    u3: { latencyMs: 0, result: 'never' },
    u4: { latencyMs: 0, result: 'never' },
    u5: { latencyMs: 0, result: 'never' },
    u6: { latencyMs: 0, result: 'never' },
  });
  let first: UpstreamAttempt | null | 'pending' = 'pending';
  void fanout.firstUsable.then((attempt) => {
    first = attempt;
  });

  await clock.advance(2999);
  expect(first).toBe('pending');
  expect([...net.signals.values()].some((s) => s.aborted)).toBe(false);
  await clock.advance(1);
  const report = await fanout.settled;

  expect(first).toBeNull();
  expect(report.winner).toBeNull();
  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 3000],
    ['u2', 0, 3000],
    ['u3', 300, 3000],
    ['u4', 300, 3000],
  ]);
  for (const a of report.attempts) {
    expect(a.result).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    expect(net.signals.get(a.upstream.name)?.aborted).toBe(true);
  }
  expect(report.notStarted.map((u) => u.name)).toEqual(['u5', 'u6']);
  expect(clock.pendingTimers).toBe(0);

  await clock.advance(10_000);
  expect([...net.calls.keys()]).toEqual(['u1', 'u2', 'u3', 'u4']);
});

it('keeps the winner and aborts the slow background tier at the deadline', async () => {
  const { clock, report } = await runFakeFanout({
    u1: { latencyMs: 20, result: 'ok' },
    u2: { latencyMs: 0, result: 'never' },
    u3: { latencyMs: 5000, result: 'ok' },
  });

  expect(report.winner?.upstream.name).toBe('u1');
  expect(report.attempts.map((a) => [a.upstream.name, a.result.ok, a.endedAt])).toEqual([
    ['u1', true, 20],
    ['u2', false, 3000],
    ['u3', false, 3000],
  ]);
  expect(clock.now() - report.startedAt).toBe(3000);
  expect(clock.pendingTimers).toBe(0);
});
