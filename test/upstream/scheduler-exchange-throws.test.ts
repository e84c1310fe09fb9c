import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS, startFanout } from '../../src/upstream/scheduler';
import { FakeNetwork, ManualClock } from '../support/manual-clock';

it('treats an exchange that throws or rejects as a network failure', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 0, result: 'throw' },
    u2: { latencyMs: 5, result: 'reject' },
    u3: { latencyMs: 20, result: 'ok' },
  });
  const fanout = startFanout({
    upstreams: net.upstreams,
    query: new Uint8Array(12),
    exchange: net.exchange,
    settings: DEFAULT_FANOUT_SETTINGS,
    clock,
  });

  await clock.runUntilIdle();
  const report = await fanout.settled;

  expect(report.attempts.map((a) => [a.upstream.name, a.startedAt, a.endedAt])).toEqual([
    ['u1', 0, 0],
    ['u2', 0, 5],
    // Both active upstreams failed at 5 ms: the background tier did not wait for 300 ms.
    ['u3', 5, 25],
  ]);
  expect(report.attempts[0]?.result).toMatchObject({
    ok: false,
    failure: { kind: 'network', message: expect.stringContaining('broke its contract') },
  });
  expect(report.attempts[1]?.result).toMatchObject({ ok: false, failure: { kind: 'network' } });
  expect(report.winner?.upstream.name).toBe('u3');
});
