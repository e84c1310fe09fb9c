import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import type { Upstream } from '../../src/upstream/types';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { FakeNetwork, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

/** Every stat here belongs to one tenant scope. */
const SCOPE = 'tenant';

const { activeTierSize } = DEFAULT_FANOUT_SETTINGS;
const MS_BETWEEN_LOOKUPS = 1000;

it('moves a consistently faster upstream into the active tier within a few lookups', async () => {
  const clock = new ManualClock();
  const health = new UpstreamHealth(clock).scoped(SCOPE);
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 100, result: 'ok' },
    u2: { latencyMs: 100, result: 'ok' },
    u3: { latencyMs: 100, result: 'ok' },
    u4: { latencyMs: 100, result: 'ok' },
    u5: { latencyMs: 150, result: 'ok' },
  });
  const activeTier = (): string[] =>
    health
      .rank(net.upstreams)
      .slice(0, activeTierSize)
      .map((u: Upstream) => u.name);
  const lookup = async () => {
    health.recordFanout(
      await settleFanoutOn(clock, net, { upstreams: health.rank(net.upstreams) }),
    );
    await clock.advance(MS_BETWEEN_LOOKUPS);
  };

  for (let i = 0; i < 5; i++) await lookup();
  expect(activeTier()).toEqual(['u1', 'u2']);

  net.set('u5', { latencyMs: 20, result: 'ok' });
  let lookups = 0;
  while (!activeTier().includes('u5') && lookups < 10) {
    await lookup();
    lookups++;
  }

  expect(activeTier()[0]).toBe('u5');
  expect(lookups).toBeGreaterThan(0);
  expect(lookups).toBeLessThanOrEqual(3);
});
