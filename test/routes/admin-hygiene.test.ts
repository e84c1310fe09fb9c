/**
 * Admin API hygiene (docs/operations.md §2): path parameters are validated before anything
 * is looked up, responses are never cacheable, and a request body is bounded
 * while it streams in, also without a Content-Length.
 */
import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { fetchWorker } from './worker-client';

const json = { 'content-type': 'application/json' };

describe('path parameters', () => {
  it.each([
    ['over 512 bytes (more than KV allows in a key)', 'a'.repeat(600)],
    ['64 characters, one over a DNS label', 'b'.repeat(64)],
    ['upper case', 'Acme'],
    ['the reserved default tenant', '_default'],
  ])('answers 400 for a tenant id %s, admin or not', async (_what, id) => {
    for (const token of [ADMIN_TOKEN, 'edt_not-a-real-token']) {
      const response = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(token) });
      expect(response.status).toBe(400);
      expect(await response.text()).toMatch(/tenant id/);
    }
  });

  it('answers 400 for a pool name or type that is not one, before any pool is addressed', async () => {
    const { id, token } = await createTenant(uniqueTenantId('hyg'), {
      upstreams: fleetTcpUpstreams('fleet-2'),
    });
    for (const path of [
      `/admin/tenants/${id}/pools/${'x'.repeat(70)}.example/A`,
      `/admin/tenants/${id}/pools/a..b.example/A`,
      `/admin/tenants/${id}/pools/example.com/NOPE`,
      '/admin/pools/example.com/OPT',
    ]) {
      const response = await fetchWorker(path, {
        headers: bearer(path.startsWith('/admin/pools') ? ADMIN_TOKEN : token),
      });
      expect(response.status, path).toBe(400);
    }
  });
});

describe('caching', () => {
  it('marks every admin response no-store, above all those carrying a token', async () => {
    const id = uniqueTenantId('nostore');
    const created = await fetchWorker('/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: JSON.stringify({ id, config: { upstreams: fleetTcpUpstreams('fleet-2') } }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const rotated = await fetchWorker(`/admin/tenants/${id}/token`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const read = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(ADMIN_TOKEN) });
    expect(read.headers.get('cache-control')).toBe('no-store');
    const refused = await fetchWorker(`/admin/tenants/${id}`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });
});

describe('request bodies', () => {
  it('answers 413 once a body without Content-Length passes 64 KiB, without waiting for its end', async () => {
    const chunk = new TextEncoder().encode(`{"pad":"${'x'.repeat(16 * 1024)}`);
    let sent = 0;
    // 80 KiB, then the stream stays open: buffering it whole would never finish.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent < 5) {
          sent++;
          controller.enqueue(chunk);
        }
      },
    });
    const request = new Request('http://localhost/admin/tenants', {
      method: 'POST',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body,
      duplex: 'half',
    } as RequestInit);
    expect(request.headers.get('content-length')).toBeNull();
    const response = await fetchWorker(request);
    expect(response.status).toBe(413);
  }, 10_000);
});
