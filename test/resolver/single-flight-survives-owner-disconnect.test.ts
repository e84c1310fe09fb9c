/**
 * docs/architecture.md §1.4/§1.6 on the real platform: a flight is shared by every client
 * that joined it, so it must not die with the client that started it. The
 * runtime cancels whatever a request did not hand to `ctx.waitUntil` when its
 * client hangs up; this drives the worker through SELF so that cancellation
 * really happens (the owner's fetch is aborted mid fan-out).
 */
import { env, SELF } from 'cloudflare:test';
import { afterEach, expect, inject, it } from 'vitest';
import { thisIsolate } from '../../src/resolver/isolate-resolver';
import { createTenant, uniqueTenantId } from '../routes/admin-client';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { getPath, queryBytes, randomClientIp } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import {
  ageCachedAnswer,
  plainCacheKey,
  requestsPerUpstream,
  scopeOfTenant,
  uniqueFleetName,
  untilArrived,
} from './fleet-worker';

const JOINED_CLIENTS = 20;
/** Long enough that the owner hangs up and the others join while the fan-out runs. */
const UPSTREAM_DELAY_MS = 400;

const name = uniqueFleetName('owner-gone');
afterEach(() => resetControl(name));

function ask(tenant: string, id: number, signal?: AbortSignal): Promise<Response> {
  return SELF.fetch(`http://localhost/t/${tenant}${getPath(queryBytes(name, 'A', id))}`, {
    headers: { 'cf-connecting-ip': randomClientIp() },
    ...(signal ? { signal } : {}),
  });
}

/** Polls until the pool's answer (it carries a version) replaced the winner's in memory. */
async function untilPoolCached(key: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (thisIsolate.answerCache(env).memory.get(key)?.version === undefined) {
    if (Date.now() > deadline) throw new Error(`the pool never refilled ${key}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

it('answers every joined client after the client that started the flight hung up', async () => {
  const fleet = inject('fleet');
  const tenant = uniqueTenantId('gone');
  await createTenant(tenant, { upstreams: fleet.map((u) => `${u.name}=${u.url}`) });
  await Promise.all(fleet.map((u) => setUpstreamDelay(u.name, UPSTREAM_DELAY_MS, name)));

  const owner = new AbortController();
  const ownerCall = ask(tenant, 0, owner.signal).then(
    () => 'answered',
    () => 'aborted',
  );
  // A fresh tenant ranks in config order: the first two are its active tier.
  await untilArrived(name, ['fleet-1', 'fleet-2']);
  const joined = Array.from({ length: JOINED_CLIENTS }, (_, i) => ask(tenant, i + 1));
  owner.abort();
  expect(await ownerCall).toBe('aborted');

  const answers = await Promise.all(joined);
  for (const [i, response] of answers.entries()) {
    // They joined the owner's flight: a miss, not a hit on something cached meanwhile.
    expect(response.headers.get('server-timing'), `client ${i + 1}`).toMatch(/cache;desc="miss"/);
    const message = await wireAnswer(response);
    expect(message.id).toBe(i + 1);
    expect(addressesOf(message).length).toBeGreaterThan(0);
  }
  // One fan-out served all of them, and it ran to the end (background tier included).
  const key = plainCacheKey(name, 'A', await scopeOfTenant(tenant));
  await untilPoolCached(key);
  expect(await requestsPerUpstream(name)).toEqual(
    Object.fromEntries(fleet.map((u) => [u.name, 1])),
  );

  // Nothing of the finished flight lingers: the next miss for the name (a
  // refresh of the now expired entry) starts a fresh fan-out and gets its answer.
  await resetControl(name);
  await ageCachedAnswer(name, (ttl) => ttl + 60, await scopeOfTenant(tenant));
  const later = await ask(tenant, 99);
  expect(later.headers.get('server-timing')).toMatch(/cache;desc="miss"/);
  expect(addressesOf(await wireAnswer(later)).length).toBeGreaterThan(0);
  // Whoever answered it was asked again (the rest of that fan-out may still be running).
  const asked = Object.values(await requestsPerUpstream(name));
  expect(asked.reduce((sum, n) => sum + n, 0)).toBeGreaterThanOrEqual(1);
});
