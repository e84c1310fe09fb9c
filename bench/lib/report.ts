/** The bench's markdown report: the results table, the targets, the cache-hit throughput. */

import { PHASES } from '../../src/observability/phase-timing';
import { PLATFORM_CONNECTION_LIMIT } from '../../src/upstream/fanout-settings';
import type { CellResult } from './run-cell';
import { mean, percentile } from './stats';
import type { LoadResult } from './throughput';

export interface ThroughputReport {
  readonly settings: string;
  readonly resolver: readonly LoadResult[];
  readonly bare: readonly LoadResult[];
  readonly resolverRps: number;
  readonly bareRps: number;
  readonly ratio: number;
  /** Sequential single requests: p50 latency of a hit and of the bare worker. */
  readonly resolverHitP50Ms: number;
  readonly bareP50Ms: number;
  /**
   * The same resolver with LOG_HIT_SAMPLE_RATE=0: the bare worker logs
   * nothing, and under wrangler dev a log line travels through wrangler's
   * log pipe, so this separates the sampled hit log line from the rest.
   */
  readonly quiet: readonly LoadResult[];
  readonly quietRps: number;
  readonly quietHitP50Ms: number;
  readonly upstreamRequestsDuringLoad: number;
  readonly cacheStatus: string;
}

export interface BenchMeta {
  readonly date: string;
  readonly revision: string;
  readonly patches: readonly string[];
  readonly node: string;
  readonly cpus: number;
  /** 1-minute load average at the start and the end: the machine may be shared. */
  readonly load: readonly [number, number];
  /** Load averages (1, 5, 15 min) when each part ended, printed beside its table. */
  readonly loadAt: Readonly<Record<string, readonly number[]>>;
  readonly lookupsPerCell: number;
  readonly warmup: number;
  readonly settings: string;
  readonly profiles: Readonly<Record<string, string>>;
  readonly durationS: number;
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
const ms1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : '–');

export function resultsTable(cells: readonly CellResult[]): string {
  const header = [
    'mode',
    'N',
    'profile',
    'p50 ms',
    'p95 ms',
    'p99 ms',
    'worker p50 ms',
    'p50 ÷ fastest active',
    'upstream req / lookup',
    'peak in flight max (p50)',
    'mean in flight',
    'pool complete p50 / p95 ms',
    'pool complete',
    'SERVFAIL',
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const c of cells) {
    lines.push(
      `| ${[
        c.mode,
        c.upstreams,
        c.profile,
        ms(c.p50),
        ms(c.p95),
        ms(c.p99),
        ms(c.workerP50),
        `${Number.isFinite(c.p50OverFastest) ? c.p50OverFastest.toFixed(2) : '–'} (${ms(c.fastestActiveMs)} ms)`,
        `${c.requestsPerLookup.toFixed(1)}${c.lookupsWithRepeats > 0 ? ` (${c.lookupsWithRepeats} repeated!)` : ''}`,
        `${c.peakInFlightMax} (${c.peakInFlightP50})`,
        ms1(c.meanInFlight),
        `${ms(c.poolCompleteP50)} / ${ms(c.poolCompleteP95)}`,
        pct(c.completeness),
        c.failures,
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n');
}

export function targetsSection(
  cells: readonly CellResult[],
  throughput: ThroughputReport | null,
): string {
  const find = (mode: string, n: number, profile: string) =>
    cells.find((c) => c.mode === mode && c.upstreams === n && c.profile === profile);
  const lines: string[] = ['| target | measured |', '|---|---|'];
  const sizes = [...new Set(cells.map((c) => c.upstreams))];
  for (const n of sizes) {
    const t = find('tiered', n, 'healthy');
    if (t) {
      lines.push(
        `| tiered p50 miss ≤ 1.1 × fastest active upstream (N=${n}, healthy) | client p50 ${ms(t.p50)} ms vs ${ms(t.fastestActiveMs)} ms: ${t.p50OverFastest.toFixed(2)} × ${t.p50OverFastest <= 1.1 ? '✅' : '❌'}; inside the worker (Server-Timing total) ${ms(t.workerP50)} ms: ${(t.workerP50 / t.fastestActiveMs).toFixed(2)} ×, i.e. +${ms(t.workerP50 - t.fastestActiveMs)} ms |`,
      );
    }
  }
  for (const n of sizes) {
    const t = find('tiered', n, 'healthy');
    const p = find('parallel', n, 'healthy');
    if (t && p) {
      lines.push(
        `| (context) tiered vs parallel p50, N=${n}, healthy | ${ms(t.p50)} vs ${ms(p.p50)} ms client, ${ms(t.workerP50)} vs ${ms(p.workerP50)} ms in the worker |`,
      );
    }
  }
  for (const n of sizes) {
    const tiered = cells.filter((c) => c.mode === 'tiered' && c.upstreams === n);
    const parallel = cells.filter((c) => c.mode === 'parallel' && c.upstreams === n);
    if (tiered.length > 0) {
      const peak = Math.max(...tiered.map((c) => c.peakInFlightMax));
      const parallelPeak =
        parallel.length > 0 ? Math.max(...parallel.map((c) => c.peakInFlightMax)) : Number.NaN;
      lines.push(
        `| tiered peak concurrent upstream requests ≤ 4, parallel = min(N, ${PLATFORM_CONNECTION_LIMIT}) (N=${n}) | tiered ${peak} ${peak <= 4 ? '✅' : '❌'}, parallel ${Number.isFinite(parallelPeak) ? parallelPeak : '–'} ${parallelPeak === Math.min(n, PLATFORM_CONNECTION_LIMIT) ? '✅' : '❌'} |`,
      );
    }
  }
  for (const mode of ['tiered', 'parallel']) {
    const own = cells.filter((c) => c.mode === mode);
    if (own.length === 0) continue;
    const worst = own.reduce((a, b) => (b.completeness < a.completeness ? b : a));
    lines.push(
      `| pool completeness 100 % (${mode}, every cell) | lowest ${pct(worst.completeness)} (N=${worst.upstreams}, ${worst.profile}) ${worst.completeness === 1 ? '✅' : '❌'} |`,
    );
  }
  const repeats = cells.reduce((sum, c) => sum + c.lookupsWithRepeats, 0);
  const complete = cells.filter((c) => c.mode !== 'sequential');
  const allAsked = complete.every(
    (c) => c.profile !== 'healthy' || c.requestsPerLookup === c.upstreams,
  );
  lines.push(
    `| every upstream queried exactly once per miss | ${repeats === 0 ? '✅ no upstream got a name twice' : `❌ ${repeats} lookups asked an upstream twice`}; healthy tiered/parallel ask all N: ${allAsked ? '✅' : '❌'} (sequential stops at the first answer by design) |`,
  );
  const hitRequests = cells.reduce((sum, c) => sum + c.hitUpstreamRequests, 0);
  const hits = cells.reduce((sum, c) => sum + c.hitsOk, 0);
  const readbacks = cells.reduce((sum, c) => sum + c.n, 0);
  const duringLoad = throughput?.upstreamRequestsDuringLoad ?? 0;
  lines.push(
    `| zero upstream requests on a hit | ${hitRequests + duringLoad === 0 ? '✅' : '❌'} ${hitRequests} upstream requests for ${hits} read-backs answered as hits (of ${readbacks}; the others re-ask a name whose SERVFAIL expired)${throughput ? `; ${duringLoad} during the throughput run` : ''} |`,
  );
  if (throughput) {
    lines.push(
      `| cache-hit throughput ≥ ${HIT_THROUGHPUT_TARGET} × bare worker | ${throughput.resolverRps.toFixed(0)} vs ${throughput.bareRps.toFixed(0)} req/s: ${throughput.ratio.toFixed(2)} × ${throughput.ratio >= HIT_THROUGHPUT_TARGET ? '✅' : '❌'} |`,
    );
    const gap = throughput.resolverHitP50Ms - throughput.bareP50Ms;
    lines.push(
      `| sequential hit p50 within ${HIT_P50_GAP_MS} ms of the bare worker | ${ms1(throughput.resolverHitP50Ms)} vs ${ms1(throughput.bareP50Ms)} ms: +${ms1(gap)} ms ${gap <= HIT_P50_GAP_MS ? '✅' : '❌'} |`,
    );
  }
  for (const n of sizes) {
    const t = find('tiered', n, 'healthy');
    if (!t) continue;
    const own = percentile(ownTimes(missesOf([t])), 50);
    lines.push(
      `| miss, worker's own time (Server-Timing total − winning exchange) ≤ ${MISS_OWN_TARGET_MS} ms p50 (tiered, N=${n}, healthy) | ${ms1(own)} ms ${own <= MISS_OWN_TARGET_MS ? '✅' : '❌'} (phases below) |`,
    );
  }
  return lines.join('\n');
}

/** The targets of the performance issue (README *Benchmark*): ratios within one run. */
const HIT_THROUGHPUT_TARGET = 0.9;
const HIT_P50_GAP_MS = 0.5;
const MISS_OWN_TARGET_MS = 2;

type Timings = Readonly<Record<string, number>>;

function missesOf(cells: readonly CellResult[]): Timings[] {
  return cells.flatMap((c) =>
    c.lookupsDetail.filter((l) => l.cache === 'miss').map((l) => l.timings),
  );
}

function hitsOf(cells: readonly CellResult[]): Timings[] {
  return cells.flatMap((c) =>
    c.lookupsDetail.flatMap((l) => (l.readback?.cache === 'hit' ? [l.readback.timings] : [])),
  );
}

/** Per request: `total` minus the winner's own `exchange` (0 on a hit). */
function ownTimes(requests: readonly Timings[]): number[] {
  return requests.flatMap((t) => (t.total === undefined ? [] : [t.total - (t.exchange ?? 0)]));
}

/**
 * Median and mean of every phase (Server-Timing), for the hits (every
 * read-back answered from the cache) and the misses of the tiered cells.
 * The mean is there because wrangler dev's clock moves in whole
 * milliseconds: a sub-millisecond phase has a median of 0 or 1 but an
 * honest mean (docs/operations.md §5).
 */
export function phaseSection(cells: readonly CellResult[]): string {
  const columns = [...PHASES, 'total', 'exchange', 'own'];
  const header = ['requests', 'n', ...columns.map((c) => `${c} p50 / mean`)];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  const row = (label: string, requests: readonly Timings[]) => {
    const own = ownTimes(requests);
    const values = (column: string) =>
      column === 'own'
        ? own
        : requests.flatMap((t) => (t[column] === undefined ? [] : [t[column] ?? 0]));
    const cellsText = columns.map((column) => {
      const v = values(column);
      return v.length === 0 ? '–' : `${fmt2(percentile(v, 50))} / ${fmt2(mean(v))}`;
    });
    lines.push(`| ${[label, requests.length, ...cellsText].join(' | ')} |`);
  };
  row('hits (read-backs)', hitsOf(cells));
  const sizes = [...new Set(cells.map((c) => c.upstreams))];
  for (const n of sizes) {
    const healthy = cells.filter(
      (c) => c.mode === 'tiered' && c.upstreams === n && c.profile === 'healthy',
    );
    if (healthy.length > 0) row(`misses, tiered N=${n} healthy`, missesOf(healthy));
  }
  const tiered = cells.filter((c) => c.mode === 'tiered');
  if (tiered.length > 0) row('misses, tiered, every cell', missesOf(tiered));
  return lines.join('\n');
}

const fmt2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');

/** `2 cores · load 1.3 / 1.1 / 0.9 (1/5/15 min) after <stage>`. */
export function loadLine(meta: BenchMeta, stage: string): string {
  const load = meta.loadAt[stage];
  if (!load) return '';
  return `Machine: ${meta.cpus} cores · load average ${load.map((v) => v.toFixed(2)).join(' / ')} (1/5/15 min) at the end of ${stage}.`;
}

export function throughputSection(t: ThroughputReport): string {
  const row = (label: string, runs: readonly LoadResult[], rps: number) =>
    `| ${label} | ${runs.map((r) => r.requestsPerSecond.toFixed(0)).join(', ')} | ${rps.toFixed(0)} | ${ms1(median(runs.map((r) => r.latencyP50Ms)))} | ${ms1(median(runs.map((r) => r.latencyP99Ms)))} | ${runs.reduce((s, r) => s + r.non2xx + r.socketErrors, 0)} |`;
  return [
    `wrk ${t.settings}, same settings for both, rounds alternated.`,
    '',
    '| worker | req/s per round | req/s mean | latency p50 ms | latency p99 ms | errors |',
    '|---|---|---|---|---|---|',
    row('resolver, cached answer', t.resolver, t.resolverRps),
    row('resolver, cached answer, hit log off (LOG_HIT_SAMPLE_RATE=0)', t.quiet, t.quietRps),
    row('bare Hono worker, fixed answer', t.bare, t.bareRps),
    '',
    `Without the sampled hit log line: ratio ${(t.quietRps / t.bareRps).toFixed(2)}, sequential hit p50 ${ms1(t.quietHitP50Ms)} ms.`,
    '',
    `Ratio ${t.ratio.toFixed(2)}. Upstream requests during the resolver's load: ${t.upstreamRequestsDuringLoad}; cache status of the hammered URL: \`${t.cacheStatus}\`. Sequential single requests, p50: resolver hit ${ms1(t.resolverHitP50Ms)} ms, bare worker ${ms1(t.bareP50Ms)} ms (the floor of wrangler dev on loopback).`,
  ].join('\n');
}

export function markdownReport(
  meta: BenchMeta,
  cells: readonly CellResult[],
  throughput: ThroughputReport | null,
): string {
  return [
    '# Fan-out benchmark',
    '',
    `Profiles, run in this order on one \`wrangler dev\` per mode and fleet size, after ${meta.warmup} uncounted healthy lookups (health is per isolate and carries from one profile to the next):`,
    '',
    ...Object.entries(meta.profiles).map(([name, text]) => `- \`${name}\`: ${text}`),
    '',
    resultsBody(meta, cells, throughput, '##'),
  ].join('\n');
}

/**
 * The results without the profile list, under headings of level `level`:
 * the body of bench/results/latest.md and of the README's *Latest results*.
 */
export function resultsBody(
  meta: BenchMeta,
  cells: readonly CellResult[],
  throughput: ThroughputReport | null,
  level: string,
): string {
  return [
    `${meta.date} · resolver ${meta.revision} · node ${meta.node} · ${meta.cpus} CPUs (load average ${meta.load[0].toFixed(1)} at the start, ${meta.load[1].toFixed(1)} at the end) · ${meta.lookupsPerCell} lookups per cell · ${meta.durationS.toFixed(0)} s`,
    '',
    `Settings: ${meta.settings}.`,
    ...(meta.patches.length > 0 ? ['', `Bundle patched to run: ${meta.patches.join('; ')}.`] : []),
    '',
    `${level} Misses`,
    '',
    resultsTable(cells),
    '',
    loadLine(meta, 'the misses'),
    '',
    `${level} Targets`,
    '',
    targetsSection(cells, throughput),
    '',
    `${level} Where the worker's time goes (Server-Timing phases, ms)`,
    '',
    phaseSection(cells),
    '',
    "`own` is `total` minus the winning upstream's `exchange` (a hit has none). Under wrangler dev the clock moves in whole milliseconds, so for sub-millisecond phases read the mean.",
    ...(throughput
      ? [
          '',
          `${level} Cache-hit throughput`,
          '',
          throughputSection(throughput),
          '',
          loadLine(meta, 'the throughput run'),
        ]
      : []),
    '',
  ].join('\n');
}

/** Marks the generated part of the README's *Latest results*; the findings below stay hand-written. */
export const README_START = '<!-- bench:results:start (npm run bench writes this part) -->';
export const README_END = '<!-- bench:results:end -->';

/** The README with the part between the markers replaced; null when the markers are missing. */
export function spliceReadme(readme: string, body: string): string | null {
  const start = readme.indexOf(README_START);
  const end = readme.indexOf(README_END);
  if (start < 0 || end < start) return null;
  return `${readme.slice(0, start + README_START.length)}\n\n${body.trim()}\n\n${readme.slice(end)}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
