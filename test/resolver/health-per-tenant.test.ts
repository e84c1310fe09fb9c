/**
 * docs/architecture.md §2/§8: upstream health is kept per (tenant, upstream URL). A tenant
 * that names its dead upstream like one of the default tenant's healthy ones
 * must not move the default tenant's ranking in the isolate they share.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { DEFAULT_TENANT, isolateTraces } from '../../src/resolver/isolate-resolver';
import { DEFAULT_HEALTH_TUNING } from '../../src/upstream/upstream-health';
import { createTenant, uniqueTenantId } from '../routes/admin-client';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';
import { fleetBindings, fleetMember, rankedFleet, uniqueFleetName } from './fleet-worker';

const suffix = uniqueFleetName('health-scope');
afterEach(() => resetControl(suffix));

let lookups = 0;
/** One miss (a name never asked before) through the default tenant or `tenant`. */
async function miss(tenant?: string): Promise<void> {
  const path = getPath(queryBytes(`n${lookups++}.${suffix}`));
  const call = await callWorker(tenant ? `/t/${tenant}${path}` : path, undefined, fleetBindings());
  await wireAnswer(call.response);
  await call.background;
}

/** The upstreams the default tenant's latest fan-out asked at t=0. */
function lastActiveTier(): string[] {
  const [trace] = isolateTraces.list({ tenant: DEFAULT_TENANT });
  if (trace === undefined) throw new Error('no default-tenant trace');
  return trace.attempts.filter((a) => a.tier === 'active').map((a) => a.upstream);
}

it("leaves the default tenant's active tier alone when another tenant's same-named upstream dies", async () => {
  // The default tenant learns its fleet.
  await miss();
  await miss();
  const before = rankedFleet().active.map((u) => u.name);
  const [best, second] = before;
  if (best === undefined || second === undefined) throw new Error('no active tier');

  // Tenant A calls a port nothing listens on like the default tenant's best
  // upstream, beside a real one, and keeps failing on it.
  const tenant = uniqueTenantId('dead-namesake');
  const dead = `${best}=tcp://127.0.0.1:${inject('unusedPort')}`;
  await createTenant(tenant, { upstreams: [dead, `${second}=${fleetMember(second).url}`] });
  for (let i = 0; i < DEFAULT_HEALTH_TUNING.coolDownAfter + 2; i++) await miss(tenant);

  expect(rankedFleet().active.map((u) => u.name)).toEqual(before);
  await miss();
  expect(lastActiveTier()).toEqual(before);
});
