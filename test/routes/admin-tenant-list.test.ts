/** `GET /admin/tenants`: the admin pages through every tenant with KV's list cursor. */
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { fetchWorker } from './worker-client';

interface Page {
  tenants: { id: string; createdAt: string | null; updatedAt: string | null }[];
  cursor: string | null;
}

async function page(query: string, token = ADMIN_TOKEN) {
  return fetchWorker(`/admin/tenants${query}`, { headers: bearer(token) });
}

describe('listing tenants', () => {
  it('pages through every tenant two at a time, each once, with its timestamps', async () => {
    const created = [];
    for (const label of ['list-a', 'list-b', 'list-c']) {
      const id = uniqueTenantId(label);
      await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
      created.push(id);
    }
    const seen: Page['tenants'] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const response = await page(`?limit=2&cursor=${encodeURIComponent(cursor)}`);
      expect(response.status).toBe(200);
      const body: Page = await response.json<Page>();
      expect(body.tenants.length).toBeLessThanOrEqual(2);
      seen.push(...body.tenants);
      cursor = body.cursor;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of created) {
      const entry = seen.find((t) => t.id === id);
      expect(entry?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
      expect(entry?.updatedAt).toBe(entry?.createdAt);
    }
  });

  it('is for the admin only', async () => {
    const tenant = await createTenant(uniqueTenantId('list-t'), {
      upstreams: fleetTcpUpstreams('fleet-2'),
    });
    expect((await page('', tenant.token)).status).toBe(403);
    expect((await fetchWorker('/admin/tenants')).status).toBe(401);
  });

  it('answers 400 naming the limit when it is outside 1..1000', async () => {
    for (const limit of ['0', '1001', 'ten', '-1', '1.5']) {
      const response = await page(`?limit=${limit}`);
      expect(`${limit} -> ${response.status}`).toBe(`${limit} -> 400`);
      expect((await response.json<{ error: string }>()).error).toMatch(/^limit:/);
    }
  });
});
