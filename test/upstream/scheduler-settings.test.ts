import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { FakeNetwork, ManualClock } from '../support/manual-clock';
import { startFakeFanout, startFanoutOn } from './fanout-harness';

it('uses the defaults of the spec', () => {
  expect(DEFAULT_FANOUT_SETTINGS).toEqual({
    mode: 'tiered',
    activeTierSize: 2,
    fallbackMs: 300,
    batchSize: 2,
    staggerMs: 50,
    deadlineMs: 3000,
    maxInflight: 4,
  });
});

it('refuses settings that cannot work, naming the setting', () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, { u1: { latencyMs: 1, result: 'ok' } });
  const start = (settings: Partial<typeof DEFAULT_FANOUT_SETTINGS>) => () =>
    startFanoutOn(clock, net, { settings: { ...DEFAULT_FANOUT_SETTINGS, ...settings } });

  expect(start({ batchSize: 0 })).toThrow(/batchSize/);
  expect(start({ deadlineMs: Number.NaN })).toThrow(/deadlineMs/);
  expect(start({ activeTierSize: 5 })).toThrow(/activeTierSize \(5\) must not exceed maxInflight/);
  expect(net.calls.size).toBe(0);
  expect(clock.pendingTimers).toBe(0);
});

it('settles at once with nothing to ask', async () => {
  const { clock, fanout } = startFakeFanout({}, { upstreams: [] });

  expect(await fanout.firstUsable).toBeNull();
  expect(await fanout.settled).toMatchObject({ attempts: [], winner: null, notStarted: [] });
  expect(clock.pendingTimers).toBe(0);
});
