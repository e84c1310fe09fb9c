/**
 * One resolver per tenant in an isolate, not one per version of its record:
 * an updated record replaces the tenant's resolver instead of adding one.
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { tenantResolver, thisIsolate } from '../../src/resolver/isolate-resolver';
import { validateTenantConfig } from '../../src/tenants/tenant-config';
import type { TenantRecord } from '../../src/tenants/tenant-store';
import { DEFAULT_FANOUT_SETTINGS } from '../../src/upstream/fanout-settings';

function record(id: string, updatedAt: string): TenantRecord {
  const checked = validateTenantConfig(
    { upstreams: ['quad9=https://dns.quad9.net/dns-query'] },
    { allowLoopback: false, baseFanout: DEFAULT_FANOUT_SETTINGS },
  );
  if (!checked.ok) throw new Error(checked.errors.join('; '));
  return { id, config: checked.config, tokenHash: 'x', createdAt: updatedAt, updatedAt };
}

it('keeps one resolver per tenant however often its record changes', () => {
  const id = `versions-${crypto.randomUUID().slice(0, 8)}`;
  const first = tenantResolver(env, record(id, '2026-01-01T00:00:00.000Z'));
  const sizeAfterFirst = thisIsolate.maps().resolvers(env)?.size ?? 0;
  expect(tenantResolver(env, record(id, '2026-01-01T00:00:00.000Z'))).toBe(first);

  for (let i = 1; i <= 5; i++) {
    const next = tenantResolver(env, record(id, `2026-01-0${i + 1}T00:00:00.000Z`));
    expect(next).not.toBe(first);
  }
  expect(thisIsolate.maps().resolvers(env)?.size).toBe(sizeAfterFirst);
});
