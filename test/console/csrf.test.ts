/**
 * Console forms refuse cross-site posts (Hono's csrf middleware checks
 * Origin / Sec-Fetch-Site), on top of the SameSite=Strict cookie.
 */
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer, fleetTcpUpstreams, uniqueTenantId } from '../routes/admin-client';
import { fetchWorker } from '../routes/worker-client';
import { postForm, signIn } from './console-client';

function newTenantForm(id: string): Record<string, string> {
  return { id, upstreams: fleetTcpUpstreams('fleet-2').join('\n'), ecs: 'strip', rateLimit: 'on' };
}

async function exists(id: string): Promise<boolean> {
  return (
    (await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(ADMIN_TOKEN) })).status === 200
  );
}

it('refuses a form post from another origin and creates nothing', async () => {
  const cookie = await signIn(ADMIN_TOKEN);
  const id = uniqueTenantId('csrf');
  const page = await postForm('/admin/ui/tenants/new', newTenantForm(id), {
    cookie,
    origin: 'https://evil.example',
  });
  expect(page.status).toBe(403);
  expect(await exists(id)).toBe(false);
});

it('refuses a form post with neither Origin nor Sec-Fetch-Site', async () => {
  const cookie = await signIn(ADMIN_TOKEN);
  const id = uniqueTenantId('csrf-none');
  const page = await postForm('/admin/ui/tenants/new', newTenantForm(id), { cookie, origin: null });
  expect(page.status).toBe(403);
  expect(await exists(id)).toBe(false);
});

it('refuses a cross-site sign-in (login CSRF)', async () => {
  const page = await postForm(
    '/admin/sign-in',
    { token: ADMIN_TOKEN, tenant: '' },
    { origin: 'https://evil.example' },
  );
  expect(page.status).toBe(403);
  expect(page.setCookie).toBeNull();
});

it('accepts the same form from its own origin', async () => {
  const cookie = await signIn(ADMIN_TOKEN);
  const id = uniqueTenantId('csrf-ok');
  const page = await postForm('/admin/ui/tenants/new', newTenantForm(id), { cookie });
  expect(page.status).toBe(201);
  expect(page.html).toMatch(/edt_[A-Za-z0-9_-]{43}/);
  expect(await exists(id)).toBe(true);
});

it('leaves the JSON API’s own posts alone (no Origin needed with a bearer token)', async () => {
  const response = await fetchWorker('/admin/tenants', {
    method: 'POST',
    headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
    body: JSON.stringify({
      id: uniqueTenantId('api'),
      config: { upstreams: fleetTcpUpstreams('fleet-2') },
    }),
  });
  expect(response.status).toBe(201);
});
