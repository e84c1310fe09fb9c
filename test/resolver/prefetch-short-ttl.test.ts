import { env } from 'cloudflare:test';
/**
 * docs/architecture.md §5: prefetch fires in the last 10 % of an entry's TTL, also for TTLs
 * under 10 s, whose last 10 % is less than one whole second.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { thisIsolate } from '../../src/resolver/isolate-resolver';
import { PREFETCH_SHARE } from '../../src/resolver/resolver';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';
import {
  agePool,
  fleetBindings,
  plainCacheKey,
  requestsPerUpstream,
  uniqueFleetName,
} from './fleet-worker';

const SHORT_TTL_S = 5;

const name = uniqueFleetName('prefetch-short');
afterEach(() => resetControl(name));

async function ask() {
  const call = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  const timing = call.response.headers.get('server-timing') ?? '';
  await wireAnswer(call.response);
  await call.background;
  return timing;
}

it('refreshes an entry with a 5 s TTL hit in its last half second', async () => {
  await ask();
  const key = plainCacheKey(name);
  const entry = thisIsolate.answerCache(env).memory.get(key);
  if (entry === undefined) throw new Error('not cached');
  // The entry as if its TTL were 5 s and 95 % of it had passed.
  const age = SHORT_TTL_S * 1000 * (1 - PREFETCH_SHARE / 2);
  await thisIsolate
    .answerCache(env)
    .store(key, { ...entry, ttl: SHORT_TTL_S, storedAt: Date.now() - age }, false);
  // The pool is as far into its own TTL, past its sweep window: the prefetch sweeps.
  await agePool(name, entry.ttl * 1000 * (1 - PREFETCH_SHARE / 2));
  const before = await requestsPerUpstream(name);

  expect(await ask()).toMatch(/cache;desc="hit"/);
  const after = await requestsPerUpstream(name);
  for (const member of inject('fleet')) {
    expect(after[member.name], member.name).toBe((before[member.name] ?? 0) + 1);
  }
});
