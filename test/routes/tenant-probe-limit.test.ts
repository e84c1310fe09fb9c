/**
 * Unknown-tenant probes (`/t/<random>`, `<random>.doh.example.com`) are
 * limited per client, and past the budget cost no KV read: 1,000 probes from
 * one client, every KV read of the TENANTS namespace counted.
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { createTenant, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { callWorker, getPath, queryBytes, randomClientIp } from './worker-client';

/** TEST_TENANT_LOOKUP_LIMIT in vitest.config.ts. */
const BUDGET = 20;
/** The binding's windows are aligned to the clock: a burst may straddle two of them. */
const MAX_WINDOWS = 2;
const PROBES = 1_000;

/** The TENANTS namespace with every `get` counted. */
function countingKv(kv: KVNamespace): { kv: KVNamespace; reads: () => number } {
  let reads = 0;
  const counting = new Proxy(kv, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (property !== 'get' || typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        reads++;
        return Reflect.apply(value, target, args);
      };
    },
  });
  return { kv: counting, reads: () => reads };
}

it('answers 429 past the budget and reads KV at most once per budgeted probe', async () => {
  const { kv, reads } = countingKv(env.TENANTS);
  const ip = randomClientIp();
  const statuses = new Map<number, number>();
  for (let i = 0; i < PROBES; i++) {
    const id = `probe-${crypto.randomUUID().slice(0, 12)}`;
    // Alternate the path form and the host form: both are one lookup.
    const request =
      i % 2 === 0
        ? new Request(`http://localhost/t/${id}${getPath(queryBytes('a.test'))}`)
        : new Request(`http://${id}.doh.example.com${getPath(queryBytes('a.test'))}`);
    request.headers.set('cf-connecting-ip', ip);
    const { response } = await callWorker(request, undefined, { TENANTS: kv });
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
  }
  const notFound = statuses.get(404) ?? 0;
  const limited = statuses.get(429) ?? 0;
  expect(notFound + limited).toBe(PROBES);
  expect(notFound).toBeGreaterThanOrEqual(BUDGET);
  expect(notFound).toBeLessThanOrEqual(MAX_WINDOWS * BUDGET);
  // One read per probe that got through, none for the limited ones.
  expect(reads()).toBe(notFound);
  console.log(JSON.stringify({ probes: PROBES, notFound, limited, kvReads: reads() }));
}, 120_000);

it('does not charge a client for lookups of a tenant this isolate already knows', async () => {
  // Query rate limit off (the admin's choice), so only the lookup budget could answer 429.
  const { id } = await createTenant(uniqueTenantId('known'), {
    upstreams: fleetTcpUpstreams('fleet-2'),
    rateLimit: { enabled: false },
  });
  const ip = randomClientIp();
  const name = `known-${crypto.randomUUID()}.fleet.test`;
  const statuses: number[] = [];
  for (let i = 0; i < 2 * BUDGET + 1; i++) {
    const request = new Request(`http://localhost/t/${id}${getPath(queryBytes(name))}`);
    request.headers.set('cf-connecting-ip', ip);
    statuses.push((await callWorker(request)).response.status);
  }
  expect(statuses.every((status) => status === 200)).toBe(true);
});
