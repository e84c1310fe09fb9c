/**
 * `rateLimit` is the admin's to set: with it off, a tenant's resolver is an
 * unlimited amplifier onto up to ten upstreams. A tenant token may not switch
 * it, and a tenant's update without the field keeps what the admin set.
 */
import { expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  rateLimitOf,
  uniqueTenantId,
} from './admin-client';
import { fetchWorker } from './worker-client';

const json = { 'content-type': 'application/json' };

async function put(id: string, token: string, config: Record<string, unknown>) {
  return fetchWorker(`/admin/tenants/${id}`, {
    method: 'PUT',
    headers: { ...bearer(token), ...json },
    body: JSON.stringify(config),
  });
}

it('refuses a tenant token switching its own rate limit off', async () => {
  const { id, token } = await createTenant(uniqueTenantId('rl'), {
    upstreams: fleetTcpUpstreams('fleet-2'),
  });
  const refused = await put(id, token, {
    upstreams: fleetTcpUpstreams('fleet-2'),
    rateLimit: { enabled: false },
  });
  expect(refused.status).toBe(403);
  expect((await refused.json<{ error: string }>()).error).toMatch(/^rateLimit: only the admin/);
  expect(await rateLimitOf(id)).toBe(true);
  // Sending the stored value back unchanged is fine (a read-modify-write client).
  const same = await put(id, token, {
    upstreams: fleetTcpUpstreams('fleet-4'),
    rateLimit: { enabled: true },
  });
  expect(same.status).toBe(200);
});

it('lets the admin switch it, and keeps the admin choice through tenant updates', async () => {
  const { id, token } = await createTenant(uniqueTenantId('rl'), {
    upstreams: fleetTcpUpstreams('fleet-2'),
  });
  expect(
    (
      await put(id, ADMIN_TOKEN, {
        upstreams: fleetTcpUpstreams('fleet-2'),
        rateLimit: { enabled: false },
      })
    ).status,
  ).toBe(200);
  expect(await rateLimitOf(id)).toBe(false);
  expect((await put(id, token, { upstreams: fleetTcpUpstreams('fleet-4') })).status).toBe(200);
  expect(await rateLimitOf(id)).toBe(false);
  const reenable = await put(id, token, {
    upstreams: fleetTcpUpstreams('fleet-4'),
    rateLimit: { enabled: true },
  });
  expect(reenable.status).toBe(403);
});
