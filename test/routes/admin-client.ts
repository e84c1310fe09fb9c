/**
 * Admin API helpers for tests: create tenants with upstreams from the
 * loopback fleet and call routes as the admin or as a tenant.
 */
import { inject } from 'vitest';
import { fetchWorker } from './worker-client';

/** Same value as TEST_ADMIN_TOKEN in vitest.config.ts. */
export const ADMIN_TOKEN = 'test-admin-token-for-vitest-only-0123456789';

export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** `name=tcp://…` entries of the fleet's TCP members (tenant upstreams may not be plain http). */
export function fleetTcpUpstreams(...names: string[]): string[] {
  return inject('fleet')
    .filter((u) => u.transport === 'tcp' && names.includes(u.name))
    .map((u) => `${u.name}=${u.url}`);
}

export interface CreatedTenant {
  id: string;
  token: string;
}

export async function createTenant(
  id: string,
  config: Record<string, unknown>,
): Promise<CreatedTenant> {
  const response = await fetchWorker('/admin/tenants', {
    method: 'POST',
    headers: { ...bearer(ADMIN_TOKEN), 'content-type': 'application/json' },
    body: JSON.stringify({ id, config }),
  });
  if (response.status !== 201) {
    throw new Error(`creating ${id}: ${response.status} ${await response.text()}`);
  }
  return response.json<CreatedTenant>();
}

/** A tenant id unique to this test run (one DNS label). */
export function uniqueTenantId(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Whether the tenant's stored config has its per-client rate limit on, as the admin reads it. */
export async function rateLimitOf(id: string): Promise<boolean> {
  const response = await fetchWorker(`/admin/tenants/${id}`, { headers: bearer(ADMIN_TOKEN) });
  return (await response.json<{ config: { rateLimit: { enabled: boolean } } }>()).config.rateLimit
    .enabled;
}
