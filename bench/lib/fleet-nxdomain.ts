/**
 * A flood of made-up names through one colo (docs/architecture.md §4:
 * negative answers never create pool storage). A few names that exist are
 * asked first, as a control: they must leave exactly that many pool objects
 * with rows, which shows the count can see storage at all.
 */
import { randomUUID } from 'node:crypto';
import { queryA, uniqueName } from './doh-client';
import { settle } from './fleet-cell';
import type { Fleet, PoolStorage } from './fleet-miniflare';
import { percentile } from './stats';
import { type DecideBehaviour, healthyBehaviour, type UpstreamSim } from './upstream-sim';

export interface NxFloodResult {
  readonly names: number;
  /** Client answers by RCODE (HTTP status when not 200). */
  readonly rcodes: Readonly<Record<string, number>>;
  readonly controls: number;
  readonly storage: PoolStorage;
  /** Pool objects with rows beyond the controls: what the flood left behind. */
  readonly leftByFlood: number;
  readonly upstreamRequests: number;
  /** Client latency, ms. */
  readonly p50: number;
  readonly p99: number;
  readonly seconds: number;
}

/** Clients in flight at once: a flood, within what 2 shared cores can serve. */
const FLOOD_CONCURRENCY = 32;
const CONTROL_NAMES = 3;
/** Marks the flood's names so the simulator answers NXDOMAIN for them. */
const FLOOD_LABEL = 'nx-flood';
/** How long the last background sweeps may take to end before the fleet stops. */
const DRAIN_QUIET_MS = 1_000;

export async function runNxFlood(
  fleet: Fleet,
  sim: UpstreamSim,
  names: number,
  deadlineMs: number,
): Promise<NxFloodResult> {
  const colo = fleet.colos[0];
  if (!colo) throw new Error('the NXDOMAIN flood needs a colo');
  const nxdomain: DecideBehaviour = (upstream, name, arrival) =>
    name.includes(`.${FLOOD_LABEL}.`)
      ? { delayMs: upstream.delayMs, failure: 'nxdomain' }
      : healthyBehaviour(upstream, name, arrival);
  sim.setBehaviour(nxdomain);

  for (let i = 0; i < CONTROL_NAMES; i++) {
    const name = uniqueName('nx-control');
    await queryA(colo.origin, name);
    await settle(sim, name, DRAIN_QUIET_MS, deadlineMs);
  }
  const t0 = Date.now();
  const before = sim.requests().length;
  const rcodes: Record<string, number> = {};
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: FLOOD_CONCURRENCY }, async () => {
      while (next < names) {
        next++;
        const answer = await queryA(colo.origin, `${randomUUID()}.${FLOOD_LABEL}.bench.test`);
        const key = answer.status === 200 ? answer.rcode : `HTTP ${answer.status}`;
        rcodes[key] = (rcodes[key] ?? 0) + 1;
        latencies.push(answer.latencyMs);
      }
    }),
  );
  await settle(sim, undefined, DRAIN_QUIET_MS, deadlineMs);
  const upstreamRequests = sim.requests().length - before;
  const storage = await fleet.stopAndCountStorage();
  return {
    names,
    rcodes,
    controls: CONTROL_NAMES,
    storage,
    leftByFlood: storage.objectsWithRows - CONTROL_NAMES,
    upstreamRequests,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    seconds: (Date.now() - t0) / 1000,
  };
}
