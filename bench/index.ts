/**
 * `npm run bench`: compares the fan-out modes on loopback upstreams with
 * controlled latencies and failures (docs/architecture.md §8), measures cache-hit
 * throughput against a bare worker, and writes `bench/results/latest.{md,json}`
 * and one SVG timeline per mode.
 *
 * Environment: BENCH_LOOKUPS (per cell, default 40), BENCH_SIZES ("5,20"),
 * BENCH_MODES ("tiered,parallel,sequential"), BENCH_PROFILES (all),
 * BENCH_SOURCE ("head": the last commit; a commit; "worktree"), BENCH_WRK_SECONDS (5),
 * BENCH_TIMELINE ("20:active-slow": the cell drawn per mode), BENCH_README ("1": also
 * rewrite the generated part of the README's *Latest results*; "0": leave it),
 * BENCH_FLEET ("off" skips the fleet table, bench/lib/fleet-run.ts, which has knobs of its own).
 */

import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { type TraceMarker, traceSvg } from '../src/observability/trace-svg';
import { queryA, queryBytes, uniqueName } from './lib/doh-client';
import { runFleet } from './lib/fleet-run';
import { traceOfLog } from './lib/log-trace';
import {
  deadUpstream,
  fleetSpecs,
  PROFILE_DESCRIPTIONS,
  PROFILE_ORDER,
  type ProfileName,
  profileBehaviour,
} from './lib/profiles';
import { markdownReport, resultsBody, spliceReadme, type ThroughputReport } from './lib/report';
import { type CellResult, runCell } from './lib/run-cell';
import { percentile } from './lib/stats';
import { hasWrk, type LoadResult, type LoadSettings, runWrk } from './lib/throughput';
import {
  healthyBehaviour,
  startUpstreamSim,
  type UpstreamSim,
  wallClock,
} from './lib/upstream-sim';
import {
  bundleResolver,
  PROJECT_ROOT,
  type ResolverBundle,
  type ResolverSource,
  resolverSource,
  startResolver,
  startWorker,
  type WorkerInstance,
} from './lib/worker-process';

const RESULTS = join(PROJECT_ROOT, 'bench/results');
/** The tier settings the bench runs with: the defaults of docs/architecture.md §2, spelled out. */
const TIER_VARS = {
  ACTIVE_TIER_SIZE: '2',
  FALLBACK_MS: '300',
  BATCH_SIZE: '2',
  STAGGER_MS: '50',
  DEADLINE_MS: '3000',
  MAX_INFLIGHT: '4',
} as const;
const FALLBACK_MS = Number(TIER_VARS.FALLBACK_MS);
/** Timeline marker colours: apart from trace-svg's green, red and blue (answer). */
const FALLBACK_COLOR = '#9a6700';
const POOL_COLOR = '#8250df';
const MODES = ['tiered', 'parallel', 'sequential'] as const;
/**
 * Uncounted healthy lookups after each worker start: the first miss of an
 * isolate pays for its first connections and Durable Object, which is not
 * what any profile measures.
 */
const WARMUP_LOOKUPS = 2;
const WARMUP_WAIT_MS = 4_000;
/** Three rounds each, alternated, so a background hiccup does not decide the ratio. */
const LOAD_ROUNDS = 3;
/** Sequential single requests for the hit-latency comparison. */
const LATENCY_SAMPLES = 100;

const env = process.env;
const lookups = Number(env.BENCH_LOOKUPS ?? 40);
const sizes = (env.BENCH_SIZES ?? '5,20').split(',').map(Number);
const modes = (env.BENCH_MODES ?? MODES.join(',')).split(',');
const profiles = (env.BENCH_PROFILES ?? PROFILE_ORDER.join(','))
  .split(',')
  .filter((p): p is ProfileName => (PROFILE_ORDER as readonly string[]).includes(p));
const source: ResolverSource = resolverSource(env.BENCH_SOURCE);
const wrkSeconds = Number(env.BENCH_WRK_SECONDS ?? 5);
const [timelineSize, timelineProfile] = (env.BENCH_TIMELINE ?? '20:active-slow').split(':');
const writeReadme = env.BENCH_README !== '0';

const progress = (text: string) => process.stderr.write(`[bench] ${text}\n`);

/** What the bench is doing, so a failure can say where it happened. */
let stage = 'starting';
const loadAt: Record<string, number[]> = {};

async function main(): Promise<void> {
  const startedAt = Date.now();
  const loadAtStart = loadavg()[0] ?? 0;
  progress(
    `machine: ${cpus().length} cores, load average ${loadavg()
      .map((v) => v.toFixed(2))
      .join(' / ')}`,
  );
  stage = `bundling the resolver (${typeof source === 'string' ? source : source.commit})`;
  progress(stage);
  const bundle = await bundleResolver(source);

  const cells: CellResult[] = [];
  const timelines: { mode: string; svg: string }[] = [];
  for (const size of sizes) {
    for (const mode of modes) {
      stage = `starting ${mode} N=${size}`;
      const sim = await startUpstreamSim(fleetSpecs(size));
      const worker = await startResolver(bundle, {
        vars: {
          ...TIER_VARS,
          UPSTREAMS: sim.upstreamsValue,
          FANOUT_MODE: mode,
          ALLOW_LOOPBACK_UPSTREAMS: 'true',
        },
      });
      try {
        for (let i = 0; i < WARMUP_LOOKUPS; i++) {
          const name = uniqueName('warmup');
          await queryA(worker.origin, name);
          await worker.waitForLog(name, WARMUP_WAIT_MS);
        }
        for (const profile of profiles) {
          const excluded = new Set<string>();
          sim.setBehaviour(profileBehaviour(profile));
          if (profile === 'one-dead') {
            const dead = deadUpstream(sim.upstreams);
            await sim.stop(dead.name);
            excluded.add(dead.name);
          }
          const t0 = Date.now();
          stage = `cell ${mode} N=${size} ${profile}`;
          const cell = await runCell(
            { mode, upstreams: size, profile, lookups, excluded },
            worker,
            sim,
          );
          cells.push(cell);
          progress(
            `${mode} N=${size} ${profile}: p50 ${cell.p50.toFixed(0)} ms, ${cell.requestsPerLookup.toFixed(1)} req/lookup, peak ${cell.peakInFlightMax}, pool ${(cell.completeness * 100).toFixed(0)} % (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
          );
          if (String(size) === timelineSize && profile === timelineProfile) {
            const svg = drawTimeline(cell, sim, excluded);
            if (svg) timelines.push({ mode, svg });
          }
        }
      } finally {
        await worker.stop();
        await sim.close();
      }
    }
  }

  loadAt['the misses'] = loadavg();
  let throughput: ThroughputReport | null = null;
  stage = 'the cache-hit throughput';
  if (await hasWrk()) throughput = await measureThroughput(bundle);
  else progress('wrk not found: skipping the cache-hit throughput (apt-get install wrk)');
  loadAt['the throughput run'] = loadavg();
  stage = 'the fleet table';
  const fleet = env.BENCH_FLEET === 'off' ? null : await runFleet(bundle, progress);
  await bundle.dispose();
  stage = 'writing the results';

  for (const patch of bundle.patches) progress(`patched bundle: ${patch}`);
  const meta = {
    date: new Date().toISOString(),
    revision: bundle.revision,
    patches: bundle.patches,
    node: process.version,
    cpus: cpus().length,
    load: [loadAtStart, loadavg()[0] ?? 0] as [number, number],
    loadAt,
    warmup: WARMUP_LOOKUPS,
    lookupsPerCell: lookups,
    settings: Object.entries(TIER_VARS)
      .map(([k, v]) => `${k}=${v}`)
      .join(', '),
    profiles: Object.fromEntries(profiles.map((p) => [p, PROFILE_DESCRIPTIONS[p]])),
    durationS: (Date.now() - startedAt) / 1000,
  };
  const markdown = `${markdownReport(meta, cells, throughput)}${fleet ? `\n${fleet.markdown}` : ''}`;
  await mkdir(RESULTS, { recursive: true });
  await writeFile(join(RESULTS, 'latest.md'), markdown);
  await writeFile(
    join(RESULTS, 'latest.json'),
    `${JSON.stringify(
      {
        meta,
        cells: cells.map(({ lookupsDetail, ...cell }) => ({
          ...cell,
          // Counts instead of address lists: the JSON stays small enough to commit.
          lookups: lookupsDetail.map(({ log, expected, readback, ...lookup }) => ({
            ...lookup,
            winner: log?.winner ?? null,
            expectedAddresses: expected.length,
            readback: readback && {
              cache: readback.cache,
              addresses: readback.addresses.length,
              extraArrivals: readback.extraArrivals,
            },
          })),
        })),
        throughput,
      },
      null,
      2,
    )}\n`,
  );
  for (const { mode, svg } of timelines)
    await writeFile(join(RESULTS, `timeline-${mode}.svg`), svg);
  if (writeReadme) {
    const readmePath = join(PROJECT_ROOT, 'README.md');
    const spliced = spliceReadme(
      await readFile(readmePath, 'utf8'),
      resultsBody(meta, cells, throughput, '####'),
    );
    if (spliced === null) progress('README markers not found: README not updated');
    else {
      await writeFile(readmePath, spliced);
      progress(
        'rewrote the results in README.md (Latest results); the findings are yours to update',
      );
    }
  }
  process.stdout.write(markdown);
  progress(`wrote ${RESULTS}/latest.{md,json} and ${timelines.length} timelines`);
  // The fleet's results are written; a part of it that failed fails the run, named.
  if (fleet && fleet.failures.length > 0) {
    stage = 'the fleet table';
    throw new Error(fleet.failures.join('; '));
  }
}

/**
 * The median-latency lookup of the cell, drawn from its log line by the
 * worker's own trace-svg, with the fallback timer (tiered) and the moment the
 * pool was complete marked.
 */
function drawTimeline(
  cell: CellResult,
  sim: UpstreamSim,
  excluded: ReadonlySet<string>,
): string | null {
  const withLog = cell.lookupsDetail.filter((l) => l.log !== null);
  const sorted = [...withLog].sort((a, b) => a.latencyMs - b.latencyMs);
  const lookup = sorted[Math.floor(sorted.length / 2)];
  if (!lookup?.log) return null;
  const { log } = lookup;
  // Row labels: how each upstream was set to behave for this very name.
  const own = new Map<string, string>();
  for (const u of sim.upstreams) own.set(u.name, excluded.has(u.name) ? 'dead' : `${u.delayMs} ms`);
  for (const r of sim.requests(lookup.name)) {
    const { delayMs, failure } = r.behaviour;
    own.set(r.upstream, failure === 'none' ? `${delayMs} ms` : failure);
  }
  const labels = new Map([...own].map(([name, behaviour]) => [name, `${name} (${behaviour})`]));
  const markers: TraceMarker[] = [];
  if (cell.mode === 'tiered') {
    markers.push({
      at: FALLBACK_MS,
      label: `fallback timer ${FALLBACK_MS} ms`,
      color: FALLBACK_COLOR,
    });
  }
  const okEnds = log.upstreams.filter((u) => u.outcome === 'ok').map((u) => u.end);
  if (okEnds.length > 0) {
    const poolAt = Math.max(...okEnds);
    markers.push({ at: poolAt, label: `pool complete · ${poolAt} ms`, color: POOL_COLOR });
  }
  const asked = log.upstreams.length;
  const notAsked = log.notStarted.length > 0 ? ` of ${asked + log.notStarted.length}` : '';
  return traceSvg(traceOfLog(log), {
    title: `${cell.mode}: one lookup, ${cell.upstreams} upstreams, profile ${cell.profile}`,
    subtitle: `median of ${cell.n} lookups · client latency ${lookup.latencyMs.toFixed(0)} ms (fan-out plus the wrangler dev proxy) · ${asked}${notAsked} upstreams asked`,
    labels,
    markers,
  });
}

/**
 * Cache-hit throughput of the resolver against the bare worker, same wrk
 * settings, rounds alternated; plus sequential single-request latency.
 * Asserts nothing: reports, and counts upstream requests during the load.
 */
async function measureThroughput(bundle: ResolverBundle): Promise<ThroughputReport> {
  const settings: LoadSettings = { threads: 1, connections: 10, seconds: wrkSeconds };
  const quiet = ['--log-level', 'warn'];
  const sim = await startUpstreamSim(fleetSpecs(5));
  sim.setBehaviour(healthyBehaviour);
  const resolver = await startResolver(bundle, {
    vars: {
      ...TIER_VARS,
      UPSTREAMS: sim.upstreamsValue,
      FANOUT_MODE: 'tiered',
      ALLOW_LOOPBACK_UPSTREAMS: 'true',
    },
    extraArgs: quiet,
  });
  const quietResolver = await startResolver(bundle, {
    vars: {
      ...TIER_VARS,
      UPSTREAMS: sim.upstreamsValue,
      FANOUT_MODE: 'tiered',
      ALLOW_LOOPBACK_UPSTREAMS: 'true',
      LOG_HIT_SAMPLE_RATE: '0',
    },
    extraArgs: quiet,
  });
  const bare = await startWorker({
    config: join(PROJECT_ROOT, 'bench/bare-worker/wrangler.toml'),
    noBundle: false,
    vars: {},
    extraArgs: quiet,
  });
  try {
    const name = uniqueName('throughput');
    await queryA(resolver.origin, name);
    // The log is silenced at this level: wait for the background tier by polling the pool.
    let warm = await queryA(resolver.origin, name);
    for (let i = 0; i < 50 && warm.addresses.length < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      warm = await queryA(resolver.origin, name);
    }
    const dns = Buffer.from(queryBytes(name)).toString('base64url');
    const resolverUrl = `${resolver.origin}/dns-query?dns=${dns}`;
    const quietUrl = `${quietResolver.origin}/dns-query?dns=${dns}`;
    // Its own isolate, cache and pool: warm it the same way.
    let quietWarm = await queryA(quietResolver.origin, name);
    for (let i = 0; i < 50 && quietWarm.addresses.length < 6; i++) {
      await new Promise((r) => setTimeout(r, 100));
      quietWarm = await queryA(quietResolver.origin, name);
    }
    const bareUrl = `${bare.origin}/dns-query?dns=${dns}`;
    const check = await fetch(resolverUrl);
    await check.arrayBuffer();
    const cacheStatus =
      /cache;desc="?([a-z]+)/.exec(check.headers.get('server-timing') ?? '')?.[1] ?? '?';

    const before = sim.requests().length;
    const resolverRuns: LoadResult[] = [];
    const bareRuns: LoadResult[] = [];
    const quietRuns: LoadResult[] = [];
    await runWrk(resolverUrl, { ...settings, seconds: 1 }); // warm-up, not counted
    await runWrk(quietUrl, { ...settings, seconds: 1 });
    await runWrk(bareUrl, { ...settings, seconds: 1 });
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      progress(`throughput round ${round + 1}/${LOAD_ROUNDS}`);
      bareRuns.push(await runWrk(bareUrl, settings));
      resolverRuns.push(await runWrk(resolverUrl, settings));
      quietRuns.push(await runWrk(quietUrl, settings));
    }
    const upstreamRequestsDuringLoad = sim.requests().length - before;
    const resolverHitP50Ms = await sequentialP50(resolverUrl);
    const quietHitP50Ms = await sequentialP50(quietUrl);
    const bareP50Ms = await sequentialP50(bareUrl);
    const meanRps = (runs: LoadResult[]) =>
      runs.reduce((s, r) => s + r.requestsPerSecond, 0) / runs.length;
    const resolverRps = meanRps(resolverRuns);
    const bareRps = meanRps(bareRuns);
    return {
      settings: `-t${settings.threads} -c${settings.connections} -d${settings.seconds}s × ${LOAD_ROUNDS} rounds, GET /dns-query?dns=…, wrangler dev --log-level warn`,
      resolver: resolverRuns,
      bare: bareRuns,
      resolverRps,
      bareRps,
      ratio: resolverRps / bareRps,
      resolverHitP50Ms,
      bareP50Ms,
      quiet: quietRuns,
      quietRps: meanRps(quietRuns),
      quietHitP50Ms,
      upstreamRequestsDuringLoad,
      cacheStatus,
    };
  } finally {
    await stopAll([resolver, quietResolver, bare]);
    await sim.close();
  }
}

async function sequentialP50(url: string): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = wallClock();
    const response = await fetch(url);
    await response.arrayBuffer();
    samples.push(wallClock() - t0);
  }
  return percentile(samples, 50);
}

async function stopAll(workers: readonly WorkerInstance[]): Promise<void> {
  for (const worker of workers) await worker.stop();
}

/**
 * Exits 0 when every part ran, whatever the figures say (targets missed are
 * results, not failures); 1 naming the part that failed otherwise.
 */
try {
  await main();
  process.exitCode = 0;
} catch (error) {
  progress(`FAILED during ${stage}: ${error instanceof Error ? error.message : String(error)}`);
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  process.exitCode = 1;
}
