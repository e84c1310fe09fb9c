/**
 * One bench cell: one fan-out mode, one fleet size, one profile, `lookups`
 * unique names asked one after another. Per lookup it joins three views:
 * the client (latency, cache status), the worker's query log line (the
 * fan-out timeline) and the upstreams (arrivals, concurrency). After the
 * last background tier it reads every name back to check the merged pool
 * and that a hit asks no upstream.
 */
import { queryA, uniqueName } from './doh-client';
import { concurrency, mean, percentile } from './stats';
import type { UpstreamSim } from './upstream-sim';
import type { QueryLogLine, WorkerInstance } from './worker-process';

/** How long to wait for a lookup's background before asking the next name. */
const BACKGROUND_WAIT_MS = 1_500;
/** At the end of a cell: past the 3000 ms deadline, every background has logged. */
const FINAL_WAIT_MS = 4_000;

interface Asked {
  readonly name: string;
  readonly latencyMs: number;
  readonly workerMs: number;
  readonly timings: Readonly<Record<string, number>>;
  readonly cache: string;
  readonly rcode: string;
}

export interface CellSpec {
  readonly mode: string;
  readonly upstreams: number;
  readonly profile: string;
  readonly lookups: number;
  /** Upstreams whose addresses a complete pool cannot contain (dead ones). */
  readonly excluded: ReadonlySet<string>;
}

export interface LookupResult {
  readonly name: string;
  readonly latencyMs: number;
  /** The worker's own time for the request (Server-Timing `total`). */
  readonly workerMs: number;
  /** Server-Timing durations of the lookup (phases, `exchange`, `total`). */
  readonly timings: Readonly<Record<string, number>>;
  readonly cache: string;
  readonly rcode: string;
  readonly log: QueryLogLine | null;
  /** Own (configured) latency of the fastest upstream the worker asked in its active tier. */
  readonly fastestActiveMs: number | null;
  readonly attempts: number;
  readonly arrivals: number;
  /** Upstreams that received this name more than once. */
  readonly repeated: number;
  readonly peakInFlight: number;
  readonly meanInFlight: number;
  /** Fan-out start to the last usable answer the merge took (worker log). */
  readonly poolCompleteMs: number | null;
  readonly readback: {
    cache: string;
    addresses: readonly string[];
    extraArrivals: number;
    timings: Readonly<Record<string, number>>;
  } | null;
  readonly expected: readonly string[];
  readonly complete: boolean;
}

export interface CellResult extends Omit<CellSpec, 'excluded'> {
  readonly n: number;
  readonly misses: number;
  readonly failures: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  /** p50 of the worker's own Server-Timing total: the latency without the wrangler dev proxy. */
  readonly workerP50: number;
  /** Median own latency of the fastest active-tier upstream, and p50 over it. */
  readonly fastestActiveMs: number;
  readonly p50OverFastest: number;
  readonly requestsPerLookup: number;
  readonly arrivalsPerLookup: number;
  readonly lookupsWithRepeats: number;
  readonly peakInFlightMax: number;
  readonly peakInFlightP50: number;
  readonly meanInFlight: number;
  readonly poolCompleteP50: number;
  readonly poolCompleteP95: number;
  readonly completeness: number;
  readonly hitsOk: number;
  readonly hitUpstreamRequests: number;
  readonly lookupsDetail: readonly LookupResult[];
}

export async function runCell(
  spec: CellSpec,
  worker: WorkerInstance,
  sim: UpstreamSim,
): Promise<CellResult> {
  const asked: Asked[] = [];
  for (let i = 0; i < spec.lookups; i++) {
    const name = uniqueName(`${spec.profile}-${spec.upstreams}-${spec.mode}`);
    const answer = await queryA(worker.origin, name);
    asked.push({
      name,
      latencyMs: answer.latencyMs,
      workerMs: answer.workerTotalMs,
      timings: answer.timings,
      cache: answer.cache,
      rcode: answer.rcode,
    });
    await worker.waitForLog(name, BACKGROUND_WAIT_MS);
  }
  const logs = await Promise.all(asked.map((a) => worker.waitForLog(a.name, FINAL_WAIT_MS)));

  const lookups: LookupResult[] = [];
  for (const [i, a] of asked.entries()) {
    const log = logs[i] ?? null;
    const before = sim.requests(a.name).length;
    const back = await queryA(worker.origin, a.name);
    const readback = {
      cache: back.cache,
      addresses: back.addresses,
      extraArrivals: sim.requests(a.name).length - before,
      timings: back.timings,
    };
    lookups.push(summarise(spec, sim, a, log, readback));
  }
  return aggregate(spec, lookups);
}

function summarise(
  spec: CellSpec,
  sim: UpstreamSim,
  asked: Asked,
  log: QueryLogLine | null,
  readback: LookupResult['readback'],
): LookupResult {
  const requests = sim.requests(asked.name);
  const perUpstream = new Map<string, number>();
  for (const r of requests) perUpstream.set(r.upstream, (perUpstream.get(r.upstream) ?? 0) + 1);
  const load = concurrency(
    requests.map((r) => ({ start: r.arrivedAt, end: r.endedAt ?? r.arrivedAt })),
  );
  const activeNames = new Set(
    (log?.upstreams ?? []).filter((u) => u.tier === 'active').map((u) => u.upstream),
  );
  const activeDelays = requests
    .filter((r) => activeNames.has(r.upstream) && r.behaviour.failure === 'none')
    .map((r) => r.behaviour.delayMs);
  const okEnds = (log?.upstreams ?? []).filter((u) => u.outcome === 'ok').map((u) => u.end);
  const expected = expectedPool(spec, sim, asked.name);
  const got = new Set(readback?.addresses ?? []);
  return {
    name: asked.name,
    latencyMs: asked.latencyMs,
    workerMs: asked.workerMs,
    timings: asked.timings,
    cache: asked.cache,
    rcode: asked.rcode,
    log,
    fastestActiveMs: activeDelays.length > 0 ? Math.min(...activeDelays) : null,
    attempts: log?.upstreams.length ?? requests.length,
    arrivals: requests.length,
    repeated: [...perUpstream.values()].filter((count) => count > 1).length,
    peakInFlight: load.peak,
    meanInFlight: load.mean,
    poolCompleteMs: okEnds.length > 0 ? Math.max(...okEnds) : null,
    readback,
    expected,
    complete: got.size === expected.length && expected.every((address) => got.has(address)),
  };
}

/**
 * The union of the addresses of every upstream that was healthy for this
 * name: asked and answered, or not asked at all (it would have answered),
 * minus dead ones and those that failed on purpose for this name.
 */
function expectedPool(spec: CellSpec, sim: UpstreamSim, name: string): string[] {
  const failed = new Set(
    sim
      .requests(name)
      .filter((r) => r.behaviour.failure !== 'none')
      .map((r) => r.upstream),
  );
  const addresses = new Set<string>();
  for (const upstream of sim.upstreams) {
    if (spec.excluded.has(upstream.name) || failed.has(upstream.name)) continue;
    for (const address of upstream.addresses) addresses.add(address);
  }
  return [...addresses].sort();
}

function aggregate(spec: CellSpec, lookups: LookupResult[]): CellResult {
  const misses = lookups.filter((l) => l.cache === 'miss');
  const latencies = misses.map((l) => l.latencyMs);
  const fastest = misses.flatMap((l) => (l.fastestActiveMs === null ? [] : [l.fastestActiveMs]));
  const poolTimes = lookups.flatMap((l) => (l.poolCompleteMs === null ? [] : [l.poolCompleteMs]));
  const p50 = percentile(latencies, 50);
  const fastestActiveMs = percentile(fastest, 50);
  const hits = lookups.filter((l) => l.readback?.cache === 'hit');
  return {
    mode: spec.mode,
    upstreams: spec.upstreams,
    profile: spec.profile,
    lookups: spec.lookups,
    n: lookups.length,
    misses: misses.length,
    failures: lookups.filter((l) => l.rcode !== 'NOERROR').length,
    p50,
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    workerP50: percentile(misses.map((l) => l.workerMs).filter(Number.isFinite), 50),
    fastestActiveMs,
    p50OverFastest: p50 / fastestActiveMs,
    requestsPerLookup: mean(lookups.map((l) => l.attempts)),
    arrivalsPerLookup: mean(lookups.map((l) => l.arrivals)),
    lookupsWithRepeats: lookups.filter((l) => l.repeated > 0).length,
    peakInFlightMax: Math.max(...lookups.map((l) => l.peakInFlight)),
    peakInFlightP50: percentile(
      lookups.map((l) => l.peakInFlight),
      50,
    ),
    meanInFlight: mean(lookups.map((l) => l.meanInFlight)),
    poolCompleteP50: percentile(poolTimes, 50),
    poolCompleteP95: percentile(poolTimes, 95),
    completeness: lookups.filter((l) => l.complete).length / lookups.length,
    hitsOk: hits.length,
    // Only read-backs answered from the cache count: a name whose SERVFAIL was
    // remembered only briefly (RFC 9520) is a new miss by the time it is read back.
    hitUpstreamRequests: hits.reduce((sum, l) => sum + (l.readback?.extraArrivals ?? 0), 0),
    lookupsDetail: lookups,
  };
}
