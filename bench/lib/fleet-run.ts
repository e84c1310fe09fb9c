/**
 * The fleet bench (docs/architecture.md §4): the table of fleet-cell.ts for
 * K = 1, 4, 16 colos and N = 5, 20 upstreams, lease on and off, pool latency
 * 0 and 50 ms (lease on), and the NXDOMAIN flood; writes
 * `bench/results/fleet.{md,json}`. `npm run bench:fleet` runs it alone,
 * `npm run bench` after its own cells.
 *
 * Environment: BENCH_FLEET_COLOS ("1,4,16"), BENCH_FLEET_SIZES ("5,20"),
 * BENCH_FLEET_NAMES (20 per cell), BENCH_FLEET_NAMES_LARGE (10, for K >= 16:
 * keeps the run within ~6 minutes on 2 cores), BENCH_FLEET_NX (10000 names;
 * 0 skips the flood).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { queryA, uniqueName } from './doh-client';
import {
  type FleetCellResult,
  QUIET_MS,
  runFleetCell,
  SETTLE_MARGIN_MS,
  settle,
} from './fleet-cell';
import { type Fleet, type FleetVariant, startFleet } from './fleet-miniflare';
import { type NxFloodResult, runNxFlood } from './fleet-nxdomain';
import { type FleetMeta, fleetMarkdown } from './fleet-report';
import { FASTEST_MS, fleetSpecs, SLOWEST_MS } from './profiles';
import { startUpstreamSim, type UpstreamSim } from './upstream-sim';
import { PROJECT_ROOT, type ResolverBundle } from './worker-process';

export interface FleetRun {
  readonly markdown: string;
  /** Real failures (broken answers, a fleet that did not start, storage a flood left): named. */
  readonly failures: readonly string[];
}

interface Variant extends FleetVariant {
  readonly lease: boolean;
  readonly poolLatencyMs: number;
}

const variant = (name: string, lease: boolean, poolLatencyMs: number): Variant => ({
  name,
  lease,
  poolLatencyMs,
  vars: { SWEEP_LEASE: String(lease), SIMULATED_POOL_LATENCY_MS: String(poolLatencyMs) },
});

/**
 * Lease on and off, and the far pool, side by side in one session (the
 * same machine load): the lease's cost is read off the first two.
 */
const VARIANTS: readonly Variant[] = [
  variant('on', true, 0),
  variant('off', false, 0),
  variant('far', true, 50),
];
/** Colos from this size on ask fewer names (BENCH_FLEET_NAMES_LARGE). */
const LARGE_FLEET = 16;
/** The fan-out deadline of wrangler.toml: a settle never waits longer than this plus a margin. */
const DEADLINE_MS = 3_000;
const RESULTS = join(PROJECT_ROOT, 'bench/results');
const NX_UPSTREAMS = 5;

const numbers = (value: string) => value.split(',').map(Number);

export async function runFleet(
  bundle: ResolverBundle,
  progress: (text: string) => void,
): Promise<FleetRun> {
  const env = process.env;
  const colosList = numbers(env.BENCH_FLEET_COLOS ?? '1,4,16');
  const sizes = numbers(env.BENCH_FLEET_SIZES ?? '5,20');
  const names = Number(env.BENCH_FLEET_NAMES ?? 20);
  const namesLarge = Number(env.BENCH_FLEET_NAMES_LARGE ?? 10);
  const nxNames = Number(env.BENCH_FLEET_NX ?? 10_000);
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  const cells: FleetCellResult[] = [];
  const failures: string[] = [];
  let seed = 1;

  for (const colos of colosList) {
    for (const upstreams of sizes) {
      const label = `K=${colos} N=${upstreams}`;
      const planned = VARIANTS.map((variant) => ({
        variant: variant.name,
        spec: {
          colos,
          upstreams,
          lease: variant.lease,
          poolLatencyMs: variant.poolLatencyMs,
          names: colos >= LARGE_FLEET ? namesLarge : names,
          seed: seed++,
        },
      }));
      try {
        const t0 = Date.now();
        const results = await withFleet(bundle, colos, upstreams, (fleet, sim) =>
          Promise.all(
            planned.map(({ variant, spec }) =>
              runFleetCell(
                spec,
                fleet,
                fleet.colos.filter((colo) => colo.variant === variant),
                sim,
                DEADLINE_MS,
              ),
            ),
          ),
        );
        cells.push(...results);
        for (const cell of results) {
          const what = `${label} lease ${cell.lease ? 'on' : 'off'} pool +${cell.poolLatencyMs} ms`;
          if (cell.badAnswers.length > 0) {
            failures.push(
              `${what}: ${cell.badAnswers.length} bad answers, e.g. ${cell.badAnswers[0]}`,
            );
          }
          progress(
            `fleet ${what}: ${cell.requestsMean.toFixed(1)} (max ${cell.requestsMax}) req/name, target ${cell.target}, complete ${(cell.completeness * 100).toFixed(0)} %, first p50 ${cell.firstP50.toFixed(0)} ms`,
          );
        }
        progress(`fleet ${label}: ${((Date.now() - t0) / 1000).toFixed(0)} s`);
      } catch (error) {
        failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
        progress(`fleet ${label} FAILED: ${String(error)}`);
      }
    }
  }

  let flood: NxFloodResult | null = null;
  if (nxNames > 0) {
    try {
      const sim = await startUpstreamSim(fleetSpecs(NX_UPSTREAMS));
      const fleet = await startFleet(bundle, {
        colos: 1,
        variants: [variant('nx', true, 0)],
        vars: fleetVars(sim),
      });
      try {
        flood = await runNxFlood(fleet, sim, nxNames, DEADLINE_MS);
      } finally {
        await fleet.stop();
        await sim.close();
      }
      progress(
        `fleet NXDOMAIN flood: ${flood.names} names, ${flood.leftByFlood} pool objects left (${flood.seconds.toFixed(0)} s)`,
      );
      if (flood.leftByFlood !== 0) {
        failures.push(`NXDOMAIN flood: ${flood.leftByFlood} pool objects with rows left behind`);
      }
      if ((flood.rcodes.NXDOMAIN ?? 0) !== flood.names) {
        failures.push(
          `NXDOMAIN flood: answers were not all NXDOMAIN (${JSON.stringify(flood.rcodes)})`,
        );
      }
      if (flood.storage.objectsWithRows < flood.controls) {
        failures.push(
          `NXDOMAIN flood: the ${flood.controls} control names left ${flood.storage.objectsWithRows} pool objects: the storage count cannot see storage`,
        );
      }
    } catch (error) {
      failures.push(`NXDOMAIN flood: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const meta: FleetMeta = {
    date: new Date().toISOString(),
    revision: bundle.revision,
    durationS: (Date.now() - startedAt) / 1000,
    load: [loadAtStart, loadavg()[0] ?? 0],
    namesPerCell: `${names} (K >= ${LARGE_FLEET}: ${namesLarge})`,
    upstreamLatencies: `${FASTEST_MS}–${SLOWEST_MS} ms`,
  };
  const markdown = fleetMarkdown(meta, cells, flood, failures);
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'fleet.md'), `${markdown}`);
  await writeFile(
    join(RESULTS, 'fleet.json'),
    `${JSON.stringify({ meta, cells, nxFlood: flood, failures }, null, 2)}\n`,
  );
  return { markdown, failures };
}

function fleetVars(sim: UpstreamSim): Record<string, string> {
  return {
    UPSTREAMS: sim.upstreamsValue,
    ALLOW_LOOPBACK_UPSTREAMS: 'true',
    // Hits are not what this measures; fewer log lines for workerd to write.
    LOG_HIT_SAMPLE_RATE: '0',
  };
}

async function withFleet<T>(
  bundle: ResolverBundle,
  colos: number,
  upstreams: number,
  run: (fleet: Fleet, sim: UpstreamSim) => Promise<T>,
): Promise<T> {
  const sim = await startUpstreamSim(fleetSpecs(upstreams));
  try {
    const fleet = await startFleet(bundle, { colos, variants: VARIANTS, vars: fleetVars(sim) });
    try {
      await warmUp(fleet, sim);
      return await run(fleet, sim);
    } finally {
      await fleet.stop();
    }
  } finally {
    await sim.close();
  }
}

/**
 * One uncounted lookup per colo, of a name of its own: a colo's first
 * request pays for compiling the worker and its first connections, which is
 * not what any cell measures, and its sweep gives the colo its first health
 * figures. One colo per variant at a time, each waiting for its query log
 * line: 48 colos sweeping at once on 2 cores would teach them latencies that
 * are mostly CPU contention, and a colo that later skips sweeps (the lease)
 * corrects a bad ranking only from its active tier.
 */
async function warmUp(fleet: Fleet, sim: UpstreamSim): Promise<void> {
  await Promise.all(
    VARIANTS.map(async (variant) => {
      for (const colo of fleet.colos.filter((c) => c.variant === variant.name)) {
        const name = uniqueName('fleet-warmup');
        await queryA(colo.origin, name);
        if (!(await fleet.waitForQueryLogs(name, 1, DEADLINE_MS + SETTLE_MARGIN_MS))) {
          await settle(sim, name, QUIET_MS, DEADLINE_MS);
        }
      }
    }),
  );
}
