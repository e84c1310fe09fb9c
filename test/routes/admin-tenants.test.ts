/**
 * The tenant lifecycle through the admin API (docs/operations.md §2): create, read,
 * update with validation, rotate the token, delete.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { fetchWorker, getPath, queryBytes } from './worker-client';

const json = { 'content-type': 'application/json' };

describe('tenant lifecycle', () => {
  it('creates a tenant that answers on its subdomain and returns a token only once', async () => {
    const id = uniqueTenantId('life');
    const created = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    expect(created.token).toMatch(/^edt_/);
    const read = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(created.token) });
    expect(JSON.stringify(await read.json())).not.toContain(created.token);
    const answer = await fetchWorker(
      new Request(`http://${id}.doh.example.com${getPath(queryBytes(`life-${id}.fleet.test`))}`),
    );
    expect(answer.status).toBe(200);
  });

  it('refuses a second tenant with the same id', async () => {
    const id = uniqueTenantId('dup');
    await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const again = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: JSON.stringify({ id, config: { upstreams: fleetTcpUpstreams('fleet-2') } }),
    });
    expect(again.status).toBe(409);
  });

  it('rejects an invalid id and an invalid config with errors naming the field', async () => {
    const badId = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: JSON.stringify({
        id: 'Not A Label',
        config: { upstreams: fleetTcpUpstreams('fleet-2') },
      }),
    });
    expect(badId.status).toBe(400);
    expect((await badId.json<{ error: string }>()).error).toMatch(/^id:/);

    const badConfig = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: JSON.stringify({
        id: uniqueTenantId('bad'),
        config: { upstreams: ['evil=tcp://10.0.0.1:53'], fanout: { maxInflight: 99 } },
      }),
    });
    expect(badConfig.status).toBe(400);
    const { error } = await badConfig.json<{ error: string }>();
    expect(error).toMatch(/upstreams\[0\]/);
    expect(error).toMatch(/10\.0\.0\.1/);
    expect(error).toMatch(/fanout\.maxInflight/);

    const notJson = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: '{nope',
    });
    expect(notJson.status).toBe(400);
  });

  it('lets a tenant update its own config, validated the same way', async () => {
    const id = uniqueTenantId('upd');
    const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const good = await fetchWorker(`/admin/tenants/${id}`, {
      method: 'PUT',
      headers: { ...bearer(token), ...json },
      body: JSON.stringify({ upstreams: fleetTcpUpstreams('fleet-4'), deny: ['ads.example'] }),
    });
    expect(good.status).toBe(200);
    const body = await good.json<{ config: { deny: string[]; upstreams: string[] } }>();
    expect(body.config.deny).toEqual(['ads.example']);
    expect(body.config.upstreams).toEqual(fleetTcpUpstreams('fleet-4'));

    const bad = await fetchWorker(`/admin/tenants/${id}`, {
      method: 'PUT',
      headers: { ...bearer(token), ...json },
      body: JSON.stringify({ upstreams: ['https://user:pw@dns.example/dns-query'] }),
    });
    expect(bad.status).toBe(400);
    expect((await bad.json<{ error: string }>()).error).toMatch(/upstreams\[0\]/);
  });

  it('rotates a token: the old one stops working, the new one works', async () => {
    const id = uniqueTenantId('rot');
    const { token: old } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const rotated = await fetchWorker(`/admin/tenants/${id}/token`, {
      method: 'POST',
      headers: bearer(old),
    });
    expect(rotated.status).toBe(200);
    const { token } = await rotated.json<{ token: string }>();
    expect(token).not.toBe(old);
    expect((await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(old) })).status).toBe(401);
    expect((await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(token) })).status).toBe(
      200,
    );
  });

  it('deletes a tenant: its resolver answers 404 afterwards', async () => {
    const id = uniqueTenantId('del');
    const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const deleted = await fetchWorker(`/admin/tenants/${id}`, {
      method: 'DELETE',
      headers: bearer(token),
    });
    expect(deleted.status).toBe(204);
    const gone = await fetchWorker(`/t/${id}${getPath(queryBytes('a.test'))}`);
    expect(gone.status).toBe(404);
    expect(
      (await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(ADMIN_TOKEN) })).status,
    ).toBe(404);
  });
});
