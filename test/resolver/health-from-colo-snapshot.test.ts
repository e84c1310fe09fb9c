/**
 * docs/architecture.md §2: a young isolate starts from its colo's health snapshot, not
 * from config order. This worker is isolate A; isolate B is a second
 * UpstreamHealth with its own sharing over the same colo cache, as a fresh
 * isolate of the same colo would have.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { isolateHealth } from '../../src/resolver/isolate-resolver';
import { systemClock } from '../../src/upstream/clock';
import { ColoHealthShare } from '../../src/upstream/colo-health-share';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import type { Upstream } from '../../src/upstream/types';
import { UpstreamHealth } from '../../src/upstream/upstream-health';
import { createTenant, uniqueTenantId } from '../routes/admin-client';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import { fleetBindings, scopeOfTenant, uniqueFleetName } from './fleet-worker';

const suffix = uniqueFleetName('colo-health');
afterEach(() => resetControl(suffix));

/**
 * The first upstream in config order answers this late for the test's names:
 * far behind the others (5-60 ms), well inside the fallback timer and deadline.
 */
const SLOW_MS = 250;

/** The whole fleet in its config order (fleet-1 first), as a tenant's upstreams. */
function fleetConfig(): string[] {
  return inject('fleet').map((u) => `${u.name}=${u.url}`);
}

function fleetUpstreams(): Upstream[] {
  return parseUpstreams(fleetConfig().join(','), { allowLoopback: true });
}

const names = (upstreams: readonly Upstream[]) => upstreams.map((u) => u.name);

let lookups = 0;
/** One miss through tenant `id`, background included. */
async function miss(id: string): Promise<void> {
  const path = `/t/${id}${getPath(queryBytes(`n${lookups++}.${suffix}`))}`;
  const call = await callWorker(path, undefined, fleetBindings());
  await wireAnswer(call.response);
  await call.background;
}

it('ranks a fresh isolate from the colo snapshot: the slow upstream listed first is not asked first', async () => {
  const tenant = uniqueTenantId('colo-health');
  await createTenant(tenant, { upstreams: fleetConfig() });
  const scope = await scopeOfTenant(tenant);
  await setUpstreamDelay('fleet-1', SLOW_MS, suffix);

  // Isolate A learns from one miss (the background tier measures everyone) and publishes.
  await miss(tenant);
  expect(names(isolateHealth.scoped(scope).rank(fleetUpstreams())).at(-1)).toBe('fleet-1');

  // Isolate B has learnt nothing: on its own it would ask fleet-1 first.
  const fresh = new UpstreamHealth(systemClock);
  expect(names(fresh.scoped(scope).plan(fleetUpstreams()))[0]).toBe('fleet-1');
  await new ColoHealthShare(fresh, caches.default, systemClock).scoped(scope).prepare();

  const plan = names(fresh.scoped(scope).plan(fleetUpstreams()));
  expect(plan.slice(0, 2)).not.toContain('fleet-1');
  expect(plan.at(-1)).toBe('fleet-1');
});

it("loads the colo's snapshot into a young scope on its first miss", async () => {
  const tenant = uniqueTenantId('colo-health-young');
  await createTenant(tenant, { upstreams: fleetConfig() });
  const scope = await scopeOfTenant(tenant);

  // Another isolate of the colo found fleet-1 very slow and shared it.
  const other = new UpstreamHealth(systemClock);
  const [first] = fleetUpstreams();
  if (first === undefined) throw new Error('empty fleet');
  const sharedMs = 5_000;
  other.record(scope, first, { ok: true, latencyMs: sharedMs });
  await new ColoHealthShare(other, caches.default, systemClock).scoped(scope).publish();

  // This isolate has never served the tenant. Its miss loads the snapshot
  // beside the colo lookup; the fan-out's own fleet-1 sample (a few ms) is
  // blended into the adopted average instead of starting one.
  await miss(tenant);
  const learnt = isolateHealth
    .scoped(scope)
    .snapshot()
    .find((s) => s.name === 'fleet-1');
  expect(learnt?.successes).toBe(1);
  expect(learnt?.ewmaMs).toBeGreaterThan(sharedMs / 2);
});
