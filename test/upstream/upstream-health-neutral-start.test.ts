import { expect, it } from 'vitest';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { fakeUpstream, ManualClock } from '../support/manual-clock';

/** Every stat here belongs to one tenant scope. */
const SCOPE = 'tenant';

it('ranks an unknown upstream behind proven-fast ones and ahead of slow or failing ones', () => {
  const health = new UpstreamHealth(new ManualClock()).scoped(SCOPE);
  health.record(fakeUpstream('fast'), { ok: true, latencyMs: 30 });
  health.record(fakeUpstream('slow'), { ok: true, latencyMs: 900 });
  health.record(fakeUpstream('failing'), { ok: true, latencyMs: 30 });
  health.record(fakeUpstream('failing'), { ok: false, latencyMs: 2, kind: 'rcode' });

  const ranked = health.rank(['slow', 'failing', 'fresh', 'fast'].map(fakeUpstream));

  expect(ranked.map((u) => u.name)).toEqual(['fast', 'fresh', 'failing', 'slow']);
});

it('keeps the configured order when nothing is known yet', () => {
  const health = new UpstreamHealth(new ManualClock()).scoped(SCOPE);
  const upstreams = ['c', 'a', 'b'].map(fakeUpstream);

  expect(health.rank(upstreams)).toEqual(upstreams);
  expect(health.snapshot()).toEqual([]);
});

it('takes the first answer of a new upstream as its latency, not a blend with the neutral guess', () => {
  const health = new UpstreamHealth(new ManualClock()).scoped(SCOPE);
  health.record(fakeUpstream('new'), { ok: true, latencyMs: 42 });

  expect(health.snapshot()).toEqual([
    {
      scope: SCOPE,
      name: 'new',
      url: fakeUpstream('new').url,
      score: 42,
      ewmaMs: 42,
      failureRate: 0,
      successes: 1,
      failures: 0,
      cutOffs: 0,
      consecutiveFailures: 0,
      coolingUntil: null,
    },
  ]);
});

it('forgets the least recently recorded upstream beyond the tracking limit', () => {
  const health = new UpstreamHealth(new ManualClock(), { maxTracked: 2 }).scoped(SCOPE);
  health.record(fakeUpstream('a'), { ok: true, latencyMs: 10 });
  health.record(fakeUpstream('b'), { ok: true, latencyMs: 10 });
  health.record(fakeUpstream('a'), { ok: true, latencyMs: 10 });
  health.record(fakeUpstream('c'), { ok: true, latencyMs: 10 });

  expect(
    health
      .snapshot()
      .map((s) => s.name)
      .sort(),
  ).toEqual(['a', 'c']);
});

it('forgets the least recently recorded upstreams beyond the byte budget', () => {
  const health = new UpstreamHealth(new ManualClock(), { maxTrackedBytes: 4_000 }).scoped(SCOPE);
  const long = (i: number) => ({
    ...fakeUpstream(`u${i}`),
    url: `https://u${i}.test/${'p'.repeat(400)}`,
  });
  for (let i = 0; i < 10; i++) health.record(long(i), { ok: true, latencyMs: 10 });
  const kept = health.snapshot().map((s) => s.name);
  expect(kept.length).toBeLessThan(10);
  expect(kept).toContain('u9');
  expect(kept).not.toContain('u0');
});
