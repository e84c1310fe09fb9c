/**
 * The isolate's tenant-record cache is bounded by count and bytes, and the
 * ids nobody owns that anyone probes are remembered apart, in a bounded map
 * of their own, so probing neither grows memory nor evicts real tenants.
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { estimatedBytes } from '../../src/cache/lru-cache';
import { validateTenantConfig } from '../../src/tenants/tenant-config';
import { type TenantRecord, TenantStore } from '../../src/tenants/tenant-store';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/fanout-settings';

function record(id: string, deny: string[] = []): TenantRecord {
  const checked = validateTenantConfig(
    { upstreams: ['quad9=https://dns.quad9.net/dns-query'], deny },
    { allowLoopback: false, baseFanout: DEFAULT_FANOUT_SETTINGS },
  );
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  const at = new Date(0).toISOString();
  return { id, config: checked.config, tokenHash: 'x', createdAt: at, updatedAt: at };
}

it('remembers at most its limit of unknown ids, and probing them keeps real records cached', async () => {
  const store = new TenantStore(env.TENANTS, Date.now, {
    records: 10,
    bytes: 1_000_000,
    unknown: 5,
  });
  const id = `bounds-${crypto.randomUUID().slice(0, 8)}`;
  await store.put(record(id));
  for (let i = 0; i < 20; i++) expect(await store.get(`${id}-probe-${i}`)).toBeNull();

  expect(store.cached.unknown).toBe(5);
  expect(store.cached.records).toBe(1);
});

it('holds records up to a byte budget, not only a count', async () => {
  const deny = Array.from({ length: 200 }, (_, i) => `blocked-${i}.example`);
  const big = record('big-0', deny);
  const budget = 3 * estimatedBytes(big);
  const store = new TenantStore(env.TENANTS, Date.now, { records: 100, bytes: budget, unknown: 5 });
  for (let i = 0; i < 10; i++) await store.put(record(`big-${i}`, deny));

  expect(store.cached.records).toBeLessThanOrEqual(3);
  expect(store.cached.bytes).toBeLessThanOrEqual(budget);
});
