/**
 * The console calls the admin API in-process with ADMIN_TOKEN; for a tenant
 * session that call must carry the tenant's rights, not the admin's. Fields
 * only the admin may set (`rateLimit`) stay out of a tenant's reach, in the
 * console exactly as with the tenant's own token.
 */
import { expect, it } from 'vitest';
import { ACTING_TENANT_HEADER } from '../../src/admin/admin-auth';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  rateLimitOf,
  uniqueTenantId,
} from '../routes/admin-client';
import { fetchWorker } from '../routes/worker-client';
import { getPage, postForm, signIn } from './console-client';

it('keeps the rate limit on when a tenant session saves its form', async () => {
  const id = uniqueTenantId('console-rights');
  const upstreams = fleetTcpUpstreams('fleet-2');
  const { token } = await createTenant(id, { upstreams });
  const cookie = await signIn(token, id);
  const form = await getPage(`/admin/ui/tenants/${id}`, cookie);
  expect(form.html).toMatch(/<input type="checkbox" name="rateLimit" checked="" disabled=""/);
  // A disabled box is left out of the post, as an unchecked one is.
  const page = await postForm(
    `/admin/ui/tenants/${id}`,
    { upstreams: upstreams.join('\n') },
    {
      cookie,
    },
  );
  expect(page.status).toBe(303);
  expect(await rateLimitOf(id)).toBe(true);
});

it('gives the console’s calls for a tenant that tenant’s rights, not the admin’s', async () => {
  const id = uniqueTenantId('acting');
  const other = uniqueTenantId('acting-other');
  const upstreams = fleetTcpUpstreams('fleet-2');
  await createTenant(id, { upstreams });
  await createTenant(other, { upstreams });
  const acting = { ...bearer(ADMIN_TOKEN), [ACTING_TENANT_HEADER]: id };
  const refused = await fetchWorker(`/admin/tenants/${id}`, {
    method: 'PATCH',
    headers: { ...acting, 'content-type': 'application/json' },
    body: JSON.stringify({ rateLimit: { enabled: false } }),
  });
  expect(refused.status).toBe(403);
  expect(await rateLimitOf(id)).toBe(true);
  expect((await fetchWorker(`/admin/tenants/${other}`, { headers: acting })).status).toBe(401);
  expect((await fetchWorker('/admin/tenants', { headers: acting })).status).toBe(403);
  expect((await fetchWorker(`/admin/tenants/${id}`, { headers: acting })).status).toBe(200);
});

it('lets an admin session switch a tenant’s rate limit off', async () => {
  const id = uniqueTenantId('console-admin-rights');
  const upstreams = fleetTcpUpstreams('fleet-2');
  await createTenant(id, { upstreams });
  const cookie = await signIn(ADMIN_TOKEN);
  const page = await postForm(
    `/admin/ui/tenants/${id}`,
    { upstreams: upstreams.join('\n') },
    {
      cookie,
    },
  );
  expect(page.status).toBe(303);
  expect(await rateLimitOf(id)).toBe(false);
});
