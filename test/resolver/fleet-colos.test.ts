/**
 * docs/architecture.md §4: the pool is the fleet's read layer. Colos run side by
 * side in this process (SIMULATED_COLO gives each its own isolate state: memory,
 * colo cache, health, flights) against the loopback fleet and one DomainPool
 * namespace, as isolates in different colos share one object per name.
 */
import { env } from 'cloudflare:test';
import { afterEach, expect, it } from 'vitest';
import type { DomainPool } from '../../src/pool/domain-pool';
import { addressesOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import {
  fleetBindings,
  fleetUnion,
  poolStub,
  requestsPerUpstream,
  uniqueFleetName,
  untilArrived,
} from './fleet-worker';

const FLEET_SIZE = 5;
const ACTIVE_TIER = 2;
const names: string[] = [];
afterEach(async () => {
  await Promise.all(names.splice(0).map((name) => resetControl(name)));
});

function fleetName(purpose: string): string {
  const name = uniqueFleetName(purpose);
  names.push(name);
  return name;
}

/** Bindings of a request that lands in `colo` (its own isolate and colo cache). */
function inColo(colo: string, extra: Partial<Env> = {}): Partial<Env> {
  return { ...fleetBindings(), SIMULATED_COLO: colo, ...extra } as Partial<Env>;
}

async function ask(name: string, bindings: Partial<Env>) {
  const call = await callWorker(getPath(queryBytes(name)), undefined, bindings);
  const cache = /cache;desc="(\w+)"/.exec(call.response.headers.get('server-timing') ?? '')?.[1];
  const addresses = addressesOf(await wireAnswer(call.response));
  await call.background;
  return { cache, addresses };
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

it('sweeps a name once for three colos, and from its second query every colo serves the whole pool in one order', async () => {
  const name = fleetName('colos');
  const colos = ['ams', 'sin', 'gru'].map((c) => `${c}-${crypto.randomUUID().slice(0, 8)}`);
  for (const colo of colos) {
    const first = await ask(name, inColo(colo));
    expect(['miss', 'pool']).toContain(first.cache);
  }
  // One sweep (every upstream once) plus each other colo's active tier: 2K + (N - 2), not K x N.
  const counts = await requestsPerUpstream(name);
  expect(total(counts)).toBe(ACTIVE_TIER * colos.length + (FLEET_SIZE - ACTIVE_TIER));
  expect(Object.keys(counts)).toHaveLength(FLEET_SIZE);

  const pool = await poolStub(name).inspect('A');
  const poolOrder = pool?.records.map((r) => r.data);
  for (const colo of colos) {
    const second = await ask(name, inColo(colo));
    expect(second.cache, colo).toBe('hit');
    expect(second.addresses, colo).toEqual(poolOrder);
  }
  expect([...(poolOrder ?? [])].sort()).toEqual(fleetUnion());
});

it('sweeps in every colo when the pool cannot be reached, and each still serves the whole answer', async () => {
  const name = fleetName('unreachable');
  // Opening the pool fails; writes still reach it, as when a read times out.
  const real = env.DOMAIN_POOL;
  const unreachable = {
    idFromName: (objectName: string) => real.idFromName(objectName),
    get: (id: DurableObjectId) => {
      const stub = real.get(id);
      return {
        open: () => Promise.reject(new Error('pool unreachable')),
        write: (request: Parameters<DomainPool['write']>[0]) => stub.write(request),
      };
    },
  } as unknown as DurableObjectNamespace<DomainPool>;
  const colos = ['lhr', 'nrt'].map((c) => `${c}-${crypto.randomUUID().slice(0, 8)}`);
  for (const colo of colos) await ask(name, inColo(colo, { DOMAIN_POOL: unreachable }));

  expect(total(await requestsPerUpstream(name))).toBe(FLEET_SIZE * colos.length);
  for (const colo of colos) {
    const second = await ask(name, inColo(colo, { DOMAIN_POOL: unreachable }));
    expect(second.cache).toBe('hit');
    expect([...second.addresses].sort()).toEqual(fleetUnion());
  }
});

it("survives the seed race across two colos: A's late sweep is rejected and both colos serve B's pool in B's order", async () => {
  const name = fleetName('colo-race');
  const [x, y] = ['fra', 'sjc'].map((c) => `${c}-${crypto.randomUUID().slice(0, 8)}`) as [
    string,
    string,
  ];
  // A fresh isolate ranks in config order: fleet-1 and fleet-2 are the active tier.
  const background = ['fleet-3', 'fleet-4', 'fleet-5'];
  await Promise.all(background.map((u, i) => setUpstreamDelay(u, 1_500 - i * 100, name)));

  // Query A in colo X: answered by its active tier; its sweep is still out.
  const a = await callWorker(getPath(queryBytes(name)), undefined, inColo(x));
  await wireAnswer(a.response);
  let aSettled = false;
  const aBackground = a.background.then(() => {
    aSettled = true;
  });
  await untilArrived(name, background);
  await Promise.all(background.map((u) => setUpstreamDelay(u, 1, name)));

  // Query B in colo Y, later: no fresh pool yet, so it sweeps too, fast, and writes first.
  const b = await ask(name, inColo(y));
  expect(b.cache).toBe('miss');
  expect(aSettled).toBe(false);
  const afterB = await poolStub(name).inspect('A');
  const bOrder = afterB?.records.map((r) => r.data);
  expect(bOrder).toHaveLength(fleetUnion().length);

  // A's write is older: rejected, and it changes nothing but the counter.
  await aBackground;
  const afterA = await poolStub(name).inspect('A');
  expect(afterA?.rejectedWrites).toBe(1);
  expect(afterA?.records.map((r) => r.data)).toEqual(bOrder);

  // Both colos now serve B's pool in B's order from their caches.
  for (const colo of [x, y]) {
    const next = await ask(name, inColo(colo));
    expect(next.cache, colo).toBe('hit');
    expect(next.addresses, colo).toEqual(bOrder);
  }
});
