/**
 * docs/operations.md §5: every DoH response says in Server-Timing whether it came from
 * the cache and, on a miss, which upstream won and how long it took.
 */
import { expect, inject, it } from 'vitest';
import { callWorker, getPath, queryBytes } from './worker-client';

it('names the cache status and the winning upstream, then a hit with no upstream', async () => {
  const bindings = { UPSTREAMS: inject('fleetUpstreams') };
  const name = `timing-${crypto.randomUUID()}.fleet.test`;

  const miss = await callWorker(getPath(queryBytes(name)), undefined, bindings);
  const missTiming = miss.response.headers.get('server-timing') ?? '';
  expect(missTiming).toMatch(/cache;desc="miss"/);
  expect(missTiming).toMatch(/upstream;dur=[\d.]+;desc="fleet-\d"/);
  await miss.background;

  const hit = await callWorker(getPath(queryBytes(name)), undefined, bindings);
  const hitTiming = hit.response.headers.get('server-timing') ?? '';
  expect(hitTiming).toMatch(/cache;desc="hit"/);
  expect(hitTiming).not.toMatch(/upstream;/);
  await hit.background;
});
