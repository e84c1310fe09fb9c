/**
 * docs/operations.md §4: the per-(tenant, client) budget is bought from the
 * rate-limit binding in leases of RATE_LEASE_REQUESTS, so a client in good
 * standing costs one binding call per lease, not one per request, and a
 * client past its budget still gets 429. The binding is Miniflare's real one,
 * wrapped to count calls (2 leases per 10 s in vitest.config.ts).
 */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { RATE_LEASE_REQUESTS, RATE_RECHECK_MS } from '../../src/tenants/rate-budget';
import { callWorker, randomClientIp } from './worker-client';

/** A binding that forwards to the real one and remembers each call's key. */
function countingLimiter(): { binding: RateLimit; keys: string[] } {
  const keys: string[] = [];
  const binding: RateLimit = {
    limit: (options) => {
      keys.push(options.key);
      return env.RATE_LIMITER.limit(options);
    },
  };
  return { binding, keys };
}

async function statusFrom(ip: string, limiter: RateLimit): Promise<number> {
  const { response, background } = await callWorker(
    '/resolve?name=a.test',
    { headers: { 'cf-connecting-ip': ip } },
    { RATE_LIMITER: limiter },
  );
  await response.arrayBuffer();
  await background;
  return response.status;
}

it('calls the binding once per lease of a client, however many hits the lease serves', async () => {
  const { binding, keys } = countingLimiter();
  const ip = randomClientIp();
  for (let i = 0; i < RATE_LEASE_REQUESTS; i++) expect(await statusFrom(ip, binding)).toBe(200);
  expect(keys).toHaveLength(1);
  // The next request starts the second lease.
  expect(await statusFrom(ip, binding)).toBe(200);
  expect(keys).toHaveLength(2);
  // Another client is another key with a lease of its own.
  expect(await statusFrom(randomClientIp(), binding)).toBe(200);
  expect(keys).toHaveLength(3);
  expect(new Set(keys).size).toBe(2);
});

it('answers 429 once the binding refuses a lease, with one binding call per lease up to then', async () => {
  const { binding, keys } = countingLimiter();
  const ip = randomClientIp();
  const statuses: number[] = [];
  // 2 leases per window; a burst straddling a window boundary may get two windows' worth.
  for (let i = 0; i <= 5 * RATE_LEASE_REQUESTS && !statuses.includes(429); i++) {
    statuses.push(await statusFrom(ip, binding));
  }
  expect(statuses.at(-1)).toBe(429);
  const served = statuses.filter((s) => s === 200).length;
  expect(served).toBeGreaterThanOrEqual(2 * RATE_LEASE_REQUESTS);
  expect(keys.length).toBe(Math.ceil(served / RATE_LEASE_REQUESTS));
  // Refused: answered from memory, no further call, and the answer is not sent.
  const limited = await callWorker(
    '/resolve?name=a.test',
    { headers: { 'cf-connecting-ip': ip } },
    { RATE_LIMITER: binding },
  );
  expect(limited.response.status).toBe(429);
  expect(limited.response.headers.get('retry-after')).toBeTruthy();
  expect(await limited.response.text()).not.toContain('Answer');
  await limited.background;
  expect(keys.length).toBe(Math.ceil(served / RATE_LEASE_REQUESTS));
}, 30_000);

it('re-asks a refused client after the recheck time and drops its answer when the binding still refuses', async () => {
  const keys: string[] = [];
  const refusing: RateLimit = {
    limit: async (options) => {
      keys.push(options.key);
      return { success: false };
    },
  };
  const ip = randomClientIp();
  const ask = (name: string) =>
    callWorker(
      `/resolve?name=${name}`,
      { headers: { 'cf-connecting-ip': ip } },
      { RATE_LIMITER: refusing },
    );
  // The first request is the advance on a lease; the binding's refusal lands in its background.
  const first = await ask('a.test');
  expect(first.response.status).toBe(200);
  await first.background;
  expect((await ask('a.test')).response.status).toBe(429);
  expect(keys).toHaveLength(1);

  // The platform's own rate limit windows are real time: so is the recheck.
  await new Promise((resolve) => setTimeout(resolve, RATE_RECHECK_MS + 100));
  const rechecked = await ask('multi.test');
  expect(rechecked.response.status).toBe(429);
  expect(rechecked.response.headers.get('content-type')).toMatch(/^text\/plain/);
  expect(rechecked.response.headers.get('cache-control')).toBeNull();
  expect(await rechecked.response.text()).toBe('rate limit exceeded\n');
  await rechecked.background;
  expect(keys).toHaveLength(2);
});
