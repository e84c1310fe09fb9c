import { expect, it } from 'vitest';
import { runFakeFanout } from './fanout-harness';

it('treats an exchange that throws or rejects as a network failure', async () => {
  const { report } = await runFakeFanout({
    u1: { latencyMs: 0, result: 'throw' },
    u2: { latencyMs: 5, result: 'reject' },
    u3: { latencyMs: 20, result: 'ok' },
  });

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
