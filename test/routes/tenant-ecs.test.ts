/**
 * docs/architecture.md §6: a tenant that opts into ECS sends the client's truncated subnet
 * upstream, so answers are cached per subnet: two clients in one /24 share a
 * fan-out and an entry, a client in another /24 gets its own.
 */
import { expect, it } from 'vitest';
import { fetchStats } from '../support/control-client';
import { createTenant, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { fetchWorker, getPath, queryBytes } from './worker-client';

it('keys answers by the truncated client subnet when the tenant opts into ECS', async () => {
  const name = `ecs-${crypto.randomUUID()}.fleet.test`;
  const id = uniqueTenantId('ecs');
  await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2'), ecs: 'truncate' });
  const ask = (ip: string) =>
    fetchWorker(`/t/${id}${getPath(queryBytes(name))}`, { headers: { 'cf-connecting-ip': ip } });

  expect((await ask('198.51.100.10')).status).toBe(200);
  const sameSubnet = await ask('198.51.100.99');
  expect(sameSubnet.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const otherSubnet = await ask('203.0.113.10');
  expect(otherSubnet.headers.get('server-timing')).toMatch(/cache;desc="miss"/);

  const stats = await fetchStats(name);
  expect(stats.servers['fleet-2']?.names[name]).toBe(2);
});
