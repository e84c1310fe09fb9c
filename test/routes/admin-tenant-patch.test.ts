/**
 * PATCH merges into a tenant's config, PUT replaces it (docs/operations.md §2): the
 * README's walkthrough sets a deny list and a fan-out override, then changes
 * the upstreams; only PATCH keeps the rest.
 */
import { describe, expect, it } from 'vitest';
import { bearer, createTenant, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { fetchWorker } from './worker-client';

interface ConfigBody {
  config: { upstreams: string[]; deny: string[]; fanout: Record<string, unknown> };
}

async function send(method: string, id: string, token: string, body: unknown) {
  return fetchWorker(`/admin/tenants/${id}`, {
    method,
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function tenantWithDenyList() {
  const id = uniqueTenantId('patch');
  const { token } = await createTenant(id, {
    upstreams: fleetTcpUpstreams('fleet-2'),
    deny: ['ads.example'],
    fanout: { activeTierSize: 1 },
  });
  return { id, token };
}

describe('updating a tenant config', () => {
  it('PATCH changes the upstreams and keeps the deny list and fan-out override', async () => {
    const { id, token } = await tenantWithDenyList();
    const response = await send('PATCH', id, token, { upstreams: fleetTcpUpstreams('fleet-4') });
    expect(response.status).toBe(200);
    const { config } = await response.json<ConfigBody>();
    expect(config.upstreams).toEqual(fleetTcpUpstreams('fleet-4'));
    expect(config.deny).toEqual(['ads.example']);
    expect(config.fanout).toEqual({ activeTierSize: 1 });
    const stored = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(token) });
    expect((await stored.json<ConfigBody>()).config.deny).toEqual(['ads.example']);
  });

  it('PATCH merges nested fan-out settings and removes a field set to null', async () => {
    const { id, token } = await tenantWithDenyList();
    const response = await send('PATCH', id, token, { fanout: { batchSize: 3 }, deny: null });
    expect(response.status).toBe(200);
    const { config } = await response.json<ConfigBody>();
    expect(config.fanout).toEqual({ activeTierSize: 1, batchSize: 3 });
    expect(config.deny).toEqual([]);
  });

  it('PATCH validates the merged config and leaves the stored one alone on an error', async () => {
    const { id, token } = await tenantWithDenyList();
    const response = await send('PATCH', id, token, { fanout: { maxInflight: 99 } });
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/fanout\.maxInflight/);
    const stored = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(token) });
    expect((await stored.json<ConfigBody>()).config.fanout).toEqual({ activeTierSize: 1 });
  });

  it('PUT replaces the whole config: fields left out fall back to their defaults', async () => {
    const { id, token } = await tenantWithDenyList();
    const response = await send('PUT', id, token, { upstreams: fleetTcpUpstreams('fleet-4') });
    expect(response.status).toBe(200);
    const { config } = await response.json<ConfigBody>();
    expect(config.deny).toEqual([]);
    expect(config.fanout).toEqual({});
  });
});
