/**
 * docs/operations.md §2: tenants never see each other. Three tenants with different
 * upstreams ask for the same name through every resolver route; each gets its
 * own upstreams' answer, and admin routes refuse a tenant's token on another
 * tenant with the same 401 `invalid token` an unknown tenant gets.
 */
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  type CreatedTenant,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { addressesOf, wireAnswer } from './dns-assertions';
import { callWorker, fetchWorker, getPath, queryBytes } from './worker-client';

function fleetAddresses(name: string): string[] {
  const member = inject('fleet').find((u) => u.name === name);
  if (!member) throw new Error(`no fleet member ${name}`);
  return [...member.addresses];
}

const tenants: Array<CreatedTenant & { upstream: string }> = [];

beforeAll(async () => {
  // fleet-2 and fleet-4 are the TCP members; the third tenant uses both.
  const plan: Array<[string, string[]]> = [
    ['iso-a', ['fleet-2']],
    ['iso-b', ['fleet-4']],
    ['iso-c', ['fleet-2', 'fleet-4']],
  ];
  for (const [label, members] of plan) {
    const id = uniqueTenantId(label);
    const created = await createTenant(id, { upstreams: fleetTcpUpstreams(...members) });
    tenants.push({ ...created, upstream: members.join('+') });
  }
});

function hostOf(id: string): string {
  return `${id}.doh.example.com`;
}

describe('resolver routes per tenant', () => {
  it('serves each tenant from its own upstreams for the same name, on every route', async () => {
    const name = `shared-${crypto.randomUUID()}.fleet.test`;
    const [a, b] = tenants;
    if (!a || !b) throw new Error('tenants not created');
    for (const [tenant, member] of [
      [a, 'fleet-2'],
      [b, 'fleet-4'],
    ] as const) {
      const expected = [...fleetAddresses(member)].sort();
      // Host form, wire GET; then wait for the background merge and ask again (a hit).
      const first = await callWorker(
        new Request(`http://${hostOf(tenant.id)}${getPath(queryBytes(name))}`),
      );
      expect(addressesOf(await wireAnswer(first.response)).sort()).toEqual(expected);
      await first.background;
      const hit = await fetchWorker(
        new Request(`http://${hostOf(tenant.id)}${getPath(queryBytes(name))}`),
      );
      expect(hit.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
      expect(addressesOf(await wireAnswer(hit)).sort()).toEqual(expected);
      // Path form and JSON API.
      const json = await fetchWorker(`/t/${tenant.id}/resolve?name=${name}`);
      const body = await json.json<{ Answer: Array<{ data: string }> }>();
      expect(body.Answer.map((r) => r.data).sort()).toEqual(expected);
    }
  });

  it('never serves the default tenant the answer a named tenant cached', async () => {
    const name = `default-${crypto.randomUUID()}.fleet.test`;
    const [a] = tenants;
    if (!a) throw new Error('tenants not created');
    const tenantCall = await callWorker(`/t/${a.id}${getPath(queryBytes(name))}`);
    await tenantCall.background;
    // The default tenant's upstreams are the test zone servers, which refuse fleet names.
    const response = await fetchWorker(getPath(queryBytes(name)));
    expect(addressesOf(await wireAnswer(response))).toEqual([]);
  });

  it('answers 404 for an unknown tenant subdomain and an unknown path tenant', async () => {
    const host = await fetchWorker(
      new Request(`http://nobody-here.doh.example.com${getPath(queryBytes('a.test'))}`),
    );
    expect(host.status).toBe(404);
    const path = await fetchWorker(`/t/nobody-here${getPath(queryBytes('a.test'))}`);
    expect(path.status).toBe(404);
  });

  it('answers 404 for a host that is neither the resolver domain nor one of its tenants', async () => {
    const response = await fetchWorker(
      new Request(`http://evil.example.net${getPath(queryBytes('a.test'))}`),
    );
    expect(response.status).toBe(404);
  });
});

describe('admin routes per tenant', () => {
  const routes = (id: string): Array<[string, string, RequestInit?]> => [
    ['GET', `/admin/tenants/${id}`],
    [
      'PUT',
      `/admin/tenants/${id}`,
      { body: JSON.stringify({ upstreams: fleetTcpUpstreams('fleet-2') }) },
    ],
    ['POST', `/admin/tenants/${id}/token`],
    ['GET', `/admin/tenants/${id}/pools/x.fleet.test/A`],
    ['DELETE', `/admin/tenants/${id}`],
  ];

  it("refuses every tenant route with another tenant's token (401), exactly like an unknown tenant", async () => {
    for (const owner of tenants) {
      for (const other of tenants) {
        if (other.id === owner.id) continue;
        for (const [method, path, init] of routes(owner.id)) {
          const response = await fetchWorker(path, {
            method,
            ...init,
            headers: { ...bearer(other.token), 'content-type': 'application/json' },
          });
          expect(`${method} ${path} -> ${response.status}`).toBe(`${method} ${path} -> 401`);
        }
      }
    }
    // The same 401 for a tenant that does not exist at all.
    const [someone] = tenants;
    if (!someone) throw new Error('tenants not created');
    const missing = await fetchWorker('/admin/tenants/does-not-exist', {
      headers: bearer(someone.token),
    });
    expect(missing.status).toBe(401);
  });

  it("lets a tenant read its own config but never another's token hash", async () => {
    const [a] = tenants;
    if (!a) throw new Error('tenants not created');
    const response = await fetchWorker(`/admin/tenants/${a.id}`, { headers: bearer(a.token) });
    expect(response.status).toBe(200);
    const body = await response.json<Record<string, unknown>>();
    expect(body.id).toBe(a.id);
    expect(JSON.stringify(body)).not.toMatch(/tokenHash/);
  });

  it('refuses admin-only routes to tenant tokens and every route without a token', async () => {
    const [a] = tenants;
    if (!a) throw new Error('tenants not created');
    const create = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(a.token), 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'sneaky', config: { upstreams: fleetTcpUpstreams('fleet-2') } }),
    });
    expect(create.status).toBe(403);
    const defaultPool = await fetchWorker('/admin/pools/a.test/A', { headers: bearer(a.token) });
    expect(defaultPool.status).toBe(403);
    const anonymous = await fetchWorker(`/admin/tenants/${a.id}`);
    expect(anonymous.status).toBe(401);
    const admin = await fetchWorker(`/admin/tenants/${a.id}`, { headers: bearer(ADMIN_TOKEN) });
    expect(admin.status).toBe(200);
  });
});
