/**
 * The per-(tenant, client) budget keys IPv6 clients by their /64: rotating
 * through the addresses of one /64 (every subscriber has 2^64 of them) must
 * not reset it, and another /64 has a budget of its own.
 */
import { expect, it } from 'vitest';
import { fetchWorker } from './worker-client';

/** TEST_RATE_LIMIT in vitest.config.ts, twice: a burst straddling a window boundary gets two. */
const MAX_REQUESTS_TO_EXHAUST = 2 * 20 + 1;

/** Tries before a rotated address's 200 counts as a separate budget rather than a new window. */
const WINDOW_ATTEMPTS = 3;

function randomSlash64(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(2)), (g) => g.toString(16));
  return `2001:db8:${groups.join(':')}`;
}

async function statusFrom(ip: string): Promise<number> {
  return (await fetchWorker('/resolve?name=a.test', { headers: { 'cf-connecting-ip': ip } }))
    .status;
}

async function exhaust(ip: string): Promise<void> {
  for (let i = 0; i < MAX_REQUESTS_TO_EXHAUST; i++) {
    if ((await statusFrom(ip)) === 429) return;
  }
  throw new Error(`${ip} was never limited`);
}

it('shares one budget between two addresses of one /64 and not with another /64', async () => {
  const prefix = randomSlash64();
  // Rotating to another address in the same /64 does not reset the budget. The
  // limiter's window may roll over between exhausting it and the next request,
  // so a 200 there is retried; keyed by the full address it is 200 every time.
  let rotated: number[] = [];
  for (let attempt = 0; attempt < WINDOW_ATTEMPTS; attempt++) {
    await exhaust(`${prefix}::1`);
    rotated = [
      await statusFrom(`${prefix}:dead:beef:1:2`),
      await statusFrom(`${prefix}:ffff:ffff:ffff:ffff`),
    ];
    if (rotated.every((status) => status === 429)) break;
  }
  expect(rotated).toEqual([429, 429]);
  // A neighbouring /64 is another subscriber.
  expect(await statusFrom(`${randomSlash64()}::1`)).toBe(200);
}, 30_000);
