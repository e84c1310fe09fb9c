import { expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import { fetchStats, resetControl, setUpstreamDelay } from '../support/control-client';
import { buildQuery, loopbackUpstream, noDeadline, uniqueLabel } from '../support/dns-query';
import { FLEET_ZONE } from '../support/upstream-fleet';

/** Far above every default fleet delay (5–60 ms), so the override is unmistakable. */
const OVERRIDE_MS = 250;

it('delays an upstream by POST /delay, only for names under the given suffix', async () => {
  const spec = inject('fleet')[0];
  if (spec === undefined) throw new Error('empty fleet');
  const upstream = loopbackUpstream(`${spec.name}=${spec.url}`);
  const slow = `${uniqueLabel()}.${FLEET_ZONE}`;
  const other = `${uniqueLabel()}.${FLEET_ZONE}`;
  await setUpstreamDelay(spec.name, OVERRIDE_MS, slow);
  try {
    const slowStart = performance.now();
    expect((await exchange(upstream, buildQuery(slow), noDeadline())).ok).toBe(true);
    expect(performance.now() - slowStart).toBeGreaterThanOrEqual(OVERRIDE_MS);

    const otherStart = performance.now();
    expect((await exchange(upstream, buildQuery(other), noDeadline())).ok).toBe(true);
    expect(performance.now() - otherStart).toBeLessThan(OVERRIDE_MS);

    expect((await fetchStats(slow)).servers[spec.name]?.requests).toBe(1);
  } finally {
    await resetControl(slow);
  }
});

it('rejects a delay for an upstream that is not in the fleet', async () => {
  await expect(setUpstreamDelay('no-such-upstream', 10)).rejects.toThrow(/404/);
});
