/**
 * What a caller learns from a refused admin call (docs/operations.md §2): a bad, rotated
 * or foreign tenant token is 401 `invalid token` on every tenant route, the
 * same whether or not the tenant exists; a deployment without ADMIN_TOKEN
 * says so instead of a bare 403.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { callWorker, fetchWorker } from './worker-client';

const tenantRoutes = (id: string): Array<[string, string, string?]> => [
  ['GET', `/admin/tenants/${id}`],
  ['PUT', `/admin/tenants/${id}`, JSON.stringify({ upstreams: fleetTcpUpstreams('fleet-2') })],
  ['PATCH', `/admin/tenants/${id}`, JSON.stringify({ deny: ['x.example'] })],
  ['DELETE', `/admin/tenants/${id}`],
  ['POST', `/admin/tenants/${id}/token`],
  ['GET', `/admin/tenants/${id}/pools/a.test/A`],
  ['GET', `/admin/tenants/${id}/traces`],
  ['GET', `/admin/tenants/${id}/traces/0000000000000000`],
  ['GET', `/admin/tenants/${id}/traces/0000000000000000/timeline.svg`],
  ['GET', `/admin/tenants/${id}/traces/0000000000000000/view`],
];

async function refusal(method: string, path: string, token: string, body?: string) {
  const response = await fetchWorker(path, {
    method,
    headers: { ...bearer(token), 'content-type': 'application/json' },
    body,
  });
  return `${method} ${path.replace(/\/admin\/tenants\/[^/]+/, '/admin/tenants/:id')} -> ${response.status} ${(await response.text()).trim()} ${response.headers.get('www-authenticate')}`;
}

describe('refused tenant tokens', () => {
  it('answers 401 invalid token for a rotated token on every route, existing tenant or not', async () => {
    const id = uniqueTenantId('tok');
    const { token: old } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const rotated = await fetchWorker(`/admin/tenants/${id}/token`, {
      method: 'POST',
      headers: bearer(old),
    });
    expect(rotated.status).toBe(200);
    const expected = '401 invalid token Bearer error="invalid_token"';
    for (const [method, path, body] of tenantRoutes(id)) {
      const existing = await refusal(method, path, old, body);
      expect(existing).toMatch(new RegExp(`-> ${expected}$`));
      const missing = await refusal(method, path.replace(id, 'no-such-tenant'), old, body);
      expect(missing).toBe(existing);
    }
  });

  it('answers the admin 404 for a tenant that does not exist', async () => {
    const response = await fetchWorker('/admin/tenants/no-such-tenant', {
      headers: bearer(ADMIN_TOKEN),
    });
    expect(response.status).toBe(404);
  });
});

describe('a deployment without ADMIN_TOKEN', () => {
  it('says that ADMIN_TOKEN is not set on admin-only routes', async () => {
    const { response } = await callWorker(
      '/admin/metrics',
      { headers: bearer('anything-at-all') },
      { ADMIN_TOKEN: undefined } as Partial<Env>,
    );
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/^ADMIN_TOKEN is not set/);
  });
});
