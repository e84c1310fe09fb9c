/**
 * RFC 2308 (issue 9, observation 5): a NODATA answer at the end of a CNAME
 * chain keeps its chain, its SOA and its negative TTL, min(SOA TTL, SOA
 * MINIMUM), through every layer: the first answer, a client soon after, the
 * pool and the entry built from the pool.
 */
import { expect, it } from 'vitest';
import { rcodeOf } from '../routes/dns-assertions';
import { Hostility, NODATA_SOA_MINIMUM } from '../support/hostility';
import { fourViews, hostileUpstreams, ttlsOf, uniqueHostileName } from './hostile-worker';

it('serves the chain, the SOA and the negative TTL on every path', async () => {
  const upstreams = hostileUpstreams();
  const name = uniqueHostileName(Hostility.nodataBehindCname);
  const views = await fourViews(name, upstreams);

  for (const served of [views.first, views.soon, views.after]) {
    const { message } = served;
    expect(rcodeOf(message)).toBe('NOERROR');
    expect(message.answers?.map((r) => `${r.name.toLowerCase()} ${r.type}`)).toEqual([
      `${name} CNAME`,
    ]);
    const soa = message.authorities?.find((r) => r.type === 'SOA');
    expect(soa).toBeDefined();
    const soaTtl = soa && 'ttl' in soa ? (soa.ttl ?? -1) : -1;
    expect(soaTtl).toBeLessThanOrEqual(NODATA_SOA_MINIMUM);
    expect(soaTtl).toBeGreaterThan(NODATA_SOA_MINIMUM - 5);
    expect(served.maxAge).toBeLessThanOrEqual(NODATA_SOA_MINIMUM);
    expect(served.maxAge).toBe(Math.min(...ttlsOf(message)));
  }
  expect(views.pool?.negative?.rcode).toBe('NOERROR');
  expect(views.pool?.negative?.ttl).toBeLessThanOrEqual(NODATA_SOA_MINIMUM);
  expect(views.after.cache).toBe('hit');
});
