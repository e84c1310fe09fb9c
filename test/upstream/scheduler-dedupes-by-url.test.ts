import { expect, it } from 'vitest';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/scheduler';
import { FakeNetwork, fakeUpstream, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

it('asks one resolver once even when the config lists its URL under two names', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    a: { latencyMs: 10, result: 'ok' },
    b: { latencyMs: 10, result: 'ok' },
    c: { latencyMs: 20, result: 'ok' },
  });
  const alias = { ...fakeUpstream('alias'), url: fakeUpstream('a').url };
  for (const mode of ['tiered', 'parallel', 'sequential'] as const) {
    const report = await settleFanoutOn(clock, net, {
      upstreams: [fakeUpstream('a'), alias, ...net.upstreams.slice(1)],
      settings: { ...DEFAULT_FANOUT_SETTINGS, mode },
    });
    const asked = [
      ...report.attempts.map((a) => a.upstream.url),
      ...report.notStarted.map((u) => u.url),
    ];
    expect(
      asked.filter((url) => url === alias.url),
      mode,
    ).toHaveLength(1);
    expect(report.attempts.map((a) => a.upstream.name)).not.toContain('alias');
  }
});
