import { describe, expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import type { FakeBehaviour } from '../support/manual-clock';
import { fakeUpstream } from '../support/manual-clock';
import { runFakeFanout } from './fanout-harness';

const { fallbackMs, staggerMs } = DEFAULT_FANOUT_SETTINGS;

/**
 * Active tiers whose answers land exactly on the scheduler's own timer edges,
 * so an answer and a timer both try to start the background tier at the same ms.
 */
const races: Record<string, [FakeBehaviour, FakeBehaviour]> = {
  'both fail exactly at the fallback timer': [
    { latencyMs: fallbackMs, result: 'servfail' },
    { latencyMs: fallbackMs, result: 'refused' },
  ],
  'one answers exactly at the fallback timer': [
    { latencyMs: fallbackMs, result: 'ok' },
    { latencyMs: 0, result: 'never' },
  ],
  'one answers on the first stagger edge after failing fast': [
    { latencyMs: 0, result: 'servfail' },
    { latencyMs: staggerMs, result: 'ok' },
  ],
  'both answer at once at t=0': [
    { latencyMs: 0, result: 'ok' },
    { latencyMs: 0, result: 'ok' },
  ],
};

describe('asks every upstream at most once', () => {
  for (const [title, [first, second]] of Object.entries(races)) {
    it(`when ${title}`, async () => {
      const background = Object.fromEntries(
        Array.from(
          { length: 8 },
          (_, i) => [`b${i}`, { latencyMs: staggerMs * (i % 3), result: 'ok' }] as const,
        ),
      );
      const { clock, net, report } = await runFakeFanout({ a1: first, a2: second, ...background });

      expect([...net.calls.values()].every((count) => count === 1)).toBe(true);
      expect(report.attempts.length + report.notStarted.length).toBe(10);
      expect(new Set(report.attempts.map((a) => a.upstream.name)).size).toBe(
        report.attempts.length,
      );
      expect(net.peakInflight).toBeLessThanOrEqual(DEFAULT_FANOUT_SETTINGS.maxInflight);
      expect(clock.pendingTimers).toBe(0);
    });
  }

  it('when the ranked list names an upstream twice', async () => {
    const { net, report } = await runFakeFanout(
      {
        u1: { latencyMs: 10, result: 'servfail' },
        u2: { latencyMs: 10, result: 'servfail' },
      },
      { upstreams: ['u1', 'u1', 'u2', 'u1'].map(fakeUpstream) },
    );

    expect(Object.fromEntries(net.calls)).toEqual({ u1: 1, u2: 1 });
    expect(report.attempts.map((a) => a.upstream.name)).toEqual(['u1', 'u2']);
  });
});
