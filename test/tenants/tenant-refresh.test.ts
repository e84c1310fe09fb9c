/**
 * docs/operations.md §2: on the DoH path a tenant this isolate knows is
 * answered from memory; once its record is TENANT_CACHE_MS old it is read
 * again in the background while the old copy keeps serving, and a changed
 * record is in use as soon as that read lands. Past TENANT_STALE_MS without a
 * successful read the caller must read it itself.
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { validateTenantConfig } from '../../src/tenants/tenant-config';
import {
  TENANT_CACHE_MS,
  TENANT_STALE_MS,
  type TenantRecord,
  TenantStore,
} from '../../src/tenants/tenant-store';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/fanout-settings';

function record(id: string, updatedAt: string): TenantRecord {
  const checked = validateTenantConfig(
    { upstreams: ['quad9=https://dns.quad9.net/dns-query'] },
    { allowLoopback: false, baseFanout: DEFAULT_FANOUT_SETTINGS },
  );
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return {
    id,
    config: checked.config,
    tokenHash: 'x',
    createdAt: '2026-12-01T00:00:00.000Z',
    updatedAt,
  };
}

it('refreshes a known tenant in the background and picks up the changed record', async () => {
  let now = 1_000_000;
  const store = new TenantStore(env.TENANTS, () => now);
  const id = `refresh-${crypto.randomUUID().slice(0, 8)}`;
  await store.put(record(id, 'v1'));
  const background: Promise<unknown>[] = [];
  const fromMemory = () => store.fromMemory(id, (work) => background.push(work));

  expect(fromMemory()?.updatedAt).toBe('v1');
  // Changed in KV by another isolate: this one keeps its copy until it is due.
  await env.TENANTS.put(`tenant:${id}`, JSON.stringify(record(id, 'v2')));
  expect(fromMemory()?.updatedAt).toBe('v1');
  expect(background).toHaveLength(0);

  now += TENANT_CACHE_MS;
  // Due: the old copy answers at once, one refresh starts however many requests ask.
  expect(fromMemory()?.updatedAt).toBe('v1');
  expect(fromMemory()?.updatedAt).toBe('v1');
  expect(background).toHaveLength(1);
  await Promise.all(background);
  expect(fromMemory()?.updatedAt).toBe('v2');
});

it('stops answering from memory once the copy is past the stale bound', async () => {
  let now = 1_000_000;
  const store = new TenantStore(env.TENANTS, () => now);
  const id = `stale-${crypto.randomUUID().slice(0, 8)}`;
  await store.put(record(id, 'v1'));
  now += TENANT_CACHE_MS + TENANT_STALE_MS;
  expect(store.fromMemory(id, () => {})).toBeUndefined();
});

it('forgets a tenant deleted in KV once the refresh lands', async () => {
  let now = 1_000_000;
  const store = new TenantStore(env.TENANTS, () => now);
  const id = `gone-${crypto.randomUUID().slice(0, 8)}`;
  await store.put(record(id, 'v1'));
  await env.TENANTS.delete(`tenant:${id}`);
  now += TENANT_CACHE_MS;
  const background: Promise<unknown>[] = [];
  expect(store.fromMemory(id, (work) => background.push(work))?.updatedAt).toBe('v1');
  await Promise.all(background);
  expect(store.fromMemory(id, () => {})).toBeUndefined();
  expect(await store.get(id)).toBeNull();
});
