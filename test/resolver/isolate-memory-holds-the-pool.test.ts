import { env } from 'cloudflare:test';
/**
 * docs/architecture.md §1, §5 (issue 9, observation 6): isolate memory holds the full pool or
 * nothing. The winner's answer (a subset of the pool) never stands in for it,
 * and a memory entry that is no longer fresh never hides a fresh colo entry
 * that another isolate wrote: the colo's is used, and no upstream is asked.
 */
import { expect, it } from 'vitest';
import { AnswerCache } from '../../src/cache/answer-cache';
import type { DnsMessage } from '../../src/dns/codec';
import { thisIsolate } from '../../src/resolver/isolate-resolver';
import { fetchStats } from '../support/control-client';
import {
  HONEST_ADDRESS,
  HONEST_SERVER,
  HOSTILE_ADDRESS,
  HOSTILE_SERVER,
  Hostility,
} from '../support/hostility';
import { plainCacheKey } from './fleet-worker';
import { answerData, ask, hostileUpstreams, uniqueHostileName } from './hostile-worker';

const addresses = (message: Pick<DnsMessage, 'answers'>) => answerData(message).sort();

it('never keeps the winner subset in isolate memory in place of the pool', async () => {
  const upstreams = hostileUpstreams();
  const name = uniqueHostileName(Hostility.plain);
  const first = await ask(name, upstreams);
  expect(addresses(first.message)).toEqual([HOSTILE_ADDRESS]);
  // The response is out, the pool write not yet done: memory has nothing for the name.
  expect(thisIsolate.answerCache(env).memory.get(plainCacheKey(name))).toBeUndefined();
  await first.background;
  const entry = thisIsolate.answerCache(env).memory.get(plainCacheKey(name));
  expect(entry?.version).toBeDefined();
  expect(addresses({ answers: entry?.answers ?? [] })).toEqual(
    [HONEST_ADDRESS, HOSTILE_ADDRESS].sort(),
  );
});

it('uses a fresh colo entry when the memory entry is stale, without asking upstreams', async () => {
  const upstreams = hostileUpstreams();
  const name = uniqueHostileName(Hostility.plain);
  const first = await ask(name, upstreams);
  await first.background;
  const key = plainCacheKey(name);
  const pooled = thisIsolate.answerCache(env).memory.get(key);
  if (pooled === undefined) throw new Error('the pool did not refill isolate memory');

  // This isolate's copy went stale a minute ago ...
  const staleAt = Date.now() - (pooled.ttl + 60) * 1_000;
  await thisIsolate.answerCache(env).store(key, { ...pooled, storedAt: staleAt }, false);
  // ... while another isolate of the colo wrote a fresh one (its own memory, the shared colo cache).
  const fresh = { ...pooled, storedAt: Date.now(), version: 'from-another-isolate' };
  await new AnswerCache(caches.default).store(key, fresh, true);

  const before = await fetchStats(name);
  const again = await ask(name, upstreams);
  await again.background;
  const afterwards = await fetchStats(name);
  expect(again.cache).toBe('hit');
  expect(addresses(again.message)).toEqual([HONEST_ADDRESS, HOSTILE_ADDRESS].sort());
  for (const server of [HOSTILE_SERVER, HONEST_SERVER]) {
    expect(afterwards.servers[server]?.requests).toBe(before.servers[server]?.requests);
  }
  expect(thisIsolate.answerCache(env).memory.get(key)?.version).toBe('from-another-isolate');
});
