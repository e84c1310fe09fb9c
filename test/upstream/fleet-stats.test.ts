import { describe, expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import { fetchFleet, fetchStats, resetControl } from '../support/control-client';
import { answerData, buildQuery, noDeadline, uniqueLabel } from '../support/dns-query';
import { FLEET_ZONE } from '../support/upstream-fleet';

describe('the upstream fleet and its control endpoint, seen from inside workerd', () => {
  it('provides the fleet as an UPSTREAMS value the worker can parse', async () => {
    const upstreams = parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true });
    expect(upstreams.map((u) => u.name)).toEqual(inject('fleetNames'));
    expect(new Set(upstreams.map((u) => u.scheme))).toEqual(new Set(['http', 'tcp']));
    expect((await fetchFleet()).map((u) => u.url)).toEqual(inject('fleet').map((u) => u.url));
  });

  it('shows in /stats that every upstream received exactly one query', async () => {
    const name = `${uniqueLabel()}.${FLEET_ZONE}`;
    const upstreams = parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true });
    const results = await Promise.all(
      upstreams.map((upstream) => exchange(upstream, buildQuery(name), noDeadline())),
    );

    for (const [index, result] of results.entries()) {
      if (!result.ok) throw new Error(result.failure.message);
      expect(answerData(result.response)).toEqual(inject('fleet')[index]?.addresses);
    }
    const stats = await fetchStats(name);
    for (const spec of inject('fleet')) {
      const server = stats.servers[spec.name];
      expect(server?.requests).toBe(1);
      expect(server?.names).toEqual({ [name]: 1 });
      expect(server?.arrivals).toMatchObject([{ name, type: 'A', transport: spec.transport }]);
    }
    expect(stats.servers['zone-doh']?.requests).toBe(0);
  });

  it('forgets the arrivals of a suffix on POST /reset', async () => {
    const name = `${uniqueLabel()}.${FLEET_ZONE}`;
    const [first] = parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true });
    if (first === undefined) throw new Error('empty fleet');
    await exchange(first, buildQuery(name), noDeadline());
    expect((await fetchStats(name)).servers[first.name]?.requests).toBe(1);

    await resetControl(name);
    expect((await fetchStats(name)).servers[first.name]?.requests).toBe(0);
  });

  it('answers names outside fleet.test with REFUSED', async () => {
    const [first] = parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true });
    if (first === undefined) throw new Error('empty fleet');
    const result = await exchange(first, buildQuery(`${uniqueLabel()}.example`), noDeadline());
    expect(result).toMatchObject({ ok: false, failure: { kind: 'rcode', rcode: 'REFUSED' } });
  });
});
