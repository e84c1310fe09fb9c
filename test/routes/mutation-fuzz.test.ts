/**
 * Issue 2 / docs/architecture.md §7 through HTTP: 10,000 seeded mutations of a valid query
 * POSTed to the worker. Never a 5xx, never an exception; every answer is a
 * 400/413 or a DNS message echoing the mutated message's ID. Upstreams point
 * at a port nothing listens on, so a mutation that happens to be a valid
 * query gets a fast SERVFAIL (a DNS error echoing the ID) instead of
 * traffic to a real server.
 */

import { expect, inject, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { mutatedQueries } from '../dns/mutations';
import { idOf } from '../dns/wire';
import { callWorker, postInit } from './worker-client';

const SEED = 0xd0_4f_0a;
const MUTATIONS = 10_000;

const ALWAYS_ALLOW: RateLimit = { limit: async () => ({ success: true }) };

it('answers 10,000 mutated queries with 400/413 or a DNS message echoing the ID, never a 5xx', async () => {
  const bindings = {
    UPSTREAMS: `nowhere=tcp://127.0.0.1:${inject('unusedPort')}`,
    // Every request here is a new client, and each new client buys a rate-limit
    // lease (src/tenants/rate-budget.ts): from Miniflare's limiter, a Durable
    // Object with an SQLite write, that is most of this test's time. The budget
    // is not what it tests (test/routes/rate-limit*.test.ts do, with the real one).
    RATE_LIMITER: ALWAYS_ALLOW,
  };
  const statuses = new Map<number, number>();
  for (const { iteration, mutation, bytes } of mutatedQueries(SEED, MUTATIONS)) {
    const where = `seed ${SEED}, iteration ${iteration}, ${mutation}`;
    const { response, background } = await callWorker('/dns-query', postInit(bytes), bindings);
    await background;
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
    if (response.status === 200) {
      expect(response.headers.get('content-type'), where).toBe('application/dns-message');
      const answer = new Uint8Array(await response.arrayBuffer());
      expect(idOf(answer), where).toBe(idOf(bytes));
      expect(() => decodeMessage(answer), where).not.toThrow();
    } else {
      expect([400, 413], `${where}: status ${response.status}`).toContain(response.status);
      await response.arrayBuffer();
    }
  }
  // Both kinds of answer occur, so the run really reaches the resolver and the rejects.
  expect(statuses.get(200)).toBeGreaterThan(0);
  expect(statuses.get(400)).toBeGreaterThan(0);
}, 120_000);
