/**
 * docs/architecture.md §7: over the rate limit -> 429, per (tenant, client IP), and the budget
 * comes back after the period. The test bindings allow 20 requests per 10 s
 * (vitest.config.ts); this is the one test that waits for real time, because
 * the binding's window is the platform's, not ours.
 */
import { expect, it } from 'vitest';
import { fetchWorker, randomClientIp } from './worker-client';

/** TEST_RATE_LIMIT in vitest.config.ts. */
const BUDGET = 20;
/** The binding's period (10 s) plus a margin for the window boundary. */
const RECOVERY_WAIT_MS = 11_000;

function fromIp(ip: string): RequestInit {
  return { headers: { 'cf-connecting-ip': ip } };
}

it('answers 429 past the budget, keeps other clients unaffected, and recovers after the period', async () => {
  const ip = randomClientIp();
  const statuses: number[] = [];
  // The binding's windows are aligned to the clock: a burst that straddles a
  // window boundary may get up to two budgets through, never more.
  for (let i = 0; i <= 2 * BUDGET && !statuses.includes(429); i++) {
    statuses.push((await fetchWorker('/resolve?name=a.test', fromIp(ip))).status);
  }
  expect(statuses.at(-1)).toBe(429);
  expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(BUDGET);
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(2 * BUDGET);
  const limited = await fetchWorker('/resolve?name=a.test', fromIp(ip));
  expect(limited.status).toBe(429);
  expect(limited.headers.get('retry-after')).toBeTruthy();

  expect((await fetchWorker('/resolve?name=a.test', fromIp(randomClientIp()))).status).toBe(200);

  await new Promise((resolve) => setTimeout(resolve, RECOVERY_WAIT_MS));
  expect((await fetchWorker('/resolve?name=a.test', fromIp(ip))).status).toBe(200);
}, 30_000);
