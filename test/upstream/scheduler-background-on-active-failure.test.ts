import { expect, it } from 'vitest';
import { runFakeFanout } from './fanout-harness';

it('starts the background tier as soon as both active upstreams have failed', async () => {
  const { report } = await runFakeFanout({
    u1: { latencyMs: 10, result: 'servfail' },
    u2: { latencyMs: 25, result: 'refused' },
    u3: { latencyMs: 30, result: 'ok' },
    u4: { latencyMs: 30, result: 'ok' },
    u5: { latencyMs: 30, result: 'ok' },
  });

  expect(Object.fromEntries(report.attempts.map((a) => [a.upstream.name, a.startedAt]))).toEqual({
    u1: 0,
    u2: 0,
    u3: 25,
    u4: 25,
    u5: 75,
  });
  expect(report.winner?.upstream.name).toBe('u3');
  expect(report.winner?.endedAt).toBe(55);
});

it('waits for the fallback timer while one active upstream is still open', async () => {
  const { report } = await runFakeFanout({
    u1: { latencyMs: 10, result: 'servfail' },
    u2: { latencyMs: 2000, result: 'ok' },
    u3: { latencyMs: 30, result: 'ok' },
  });

  expect(report.attempts.find((a) => a.upstream.name === 'u3')?.startedAt).toBe(300);
});
