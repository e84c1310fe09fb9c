import { expect, it } from 'vitest';
import { startFakeFanout } from './fanout-harness';

it('ends everything at once when aborted', async () => {
  const { clock, net, fanout } = startFakeFanout({
    u1: { latencyMs: 500, result: 'ok' },
    u2: { latencyMs: 500, result: 'ok' },
    u3: { latencyMs: 500, result: 'ok' },
  });

  await clock.advance(120);
  fanout.abort('client went away');
  fanout.abort('twice is harmless');
  const report = await fanout.settled;

  expect(await fanout.firstUsable).toBeNull();
  expect(report.attempts.map((a) => [a.upstream.name, a.endedAt])).toEqual([
    ['u1', 120],
    ['u2', 120],
  ]);
  expect(report.attempts[0]?.result).toMatchObject({
    ok: false,
    failure: { kind: 'timeout', message: expect.stringContaining('client went away') },
  });
  expect(net.signals.get('u1')?.aborted).toBe(true);
  expect(net.signals.get('u1')?.reason).toMatchObject({ name: 'AbortError' });
  expect(report.notStarted.map((u) => u.name)).toEqual(['u3']);
  expect(clock.pendingTimers).toBe(0);
  expect(net.inflight).toBe(0);
});
