/**
 * Failed admin requests are limited per client (IPv4 address or IPv6 /64):
 * past the budget the client gets 429, even with a valid token, while other
 * clients and successful requests are not affected.
 */
import { expect, it } from 'vitest';
import { ADMIN_TOKEN, bearer } from './admin-client';
import { fetchWorker, randomClientIp } from './worker-client';

/** TEST_ADMIN_FAILURE_LIMIT in vitest.config.ts, twice for a burst straddling a window. */
const MAX_FAILURES_TO_EXHAUST = 2 * 5 + 1;

function from(ip: string, token?: string): RequestInit {
  return {
    headers: { 'cf-connecting-ip': ip, ...(token === undefined ? {} : bearer(token)) },
  };
}

it('answers 429 to a client that keeps failing, then even to its valid token', async () => {
  const ip = randomClientIp();
  const statuses: number[] = [];
  for (let i = 0; i < MAX_FAILURES_TO_EXHAUST && !statuses.includes(429); i++) {
    // Wrong tokens of every kind: missing, a guessed admin token, a guessed tenant token.
    const token = [undefined, `guess-${i}-${'x'.repeat(40)}`, 'edt_guess'][i % 3];
    statuses.push((await fetchWorker('/admin/tenants/acme', from(ip, token))).status);
  }
  expect(statuses.at(-1)).toBe(429);
  expect(statuses.slice(0, -1).every((status) => [401, 403, 404].includes(status))).toBe(true);

  const locked = await fetchWorker('/admin/metrics', from(ip, ADMIN_TOKEN));
  expect(locked.status).toBe(429);
  expect(locked.headers.get('retry-after')).toBe('60');

  expect((await fetchWorker('/admin/metrics', from(randomClientIp(), ADMIN_TOKEN))).status).toBe(
    200,
  );
});

it('never counts successful requests', async () => {
  const ip = randomClientIp();
  for (let i = 0; i < MAX_FAILURES_TO_EXHAUST; i++) {
    expect((await fetchWorker('/admin/metrics', from(ip, ADMIN_TOKEN))).status).toBe(200);
  }
});
