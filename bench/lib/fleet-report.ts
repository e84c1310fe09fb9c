/** The fleet bench's Markdown: one table row per cell, the lease's cost, the NXDOMAIN flood. */
import type { FleetCellResult } from './fleet-cell';
import type { NxFloodResult } from './fleet-nxdomain';

export interface FleetMeta {
  readonly date: string;
  readonly revision: string;
  readonly durationS: number;
  readonly load: readonly [number, number];
  readonly namesPerCell: string;
  readonly upstreamLatencies: string;
}

const pct = (share: number | null) => (share === null ? '–' : `${(share * 100).toFixed(0)} %`);
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(0) : '–');
const statuses = (
  counts: Readonly<Record<string, number>>,
  p50s?: Readonly<Record<string, number>>,
) =>
  Object.entries(counts)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([status, n]) =>
        `${status} ${n}${p50s?.[status] === undefined ? '' : ` (${ms(p50s[status] ?? Number.NaN)} ms)`}`,
    )
    .join(', ');

export function fleetTable(cells: readonly FleetCellResult[]): string {
  const lines = [
    '| K | N | lease | pool ms | names | upstream req/name mean (max) | target 2K+N−2 | K×N | complete at 2nd query | same order | first-query p50 ms | cold p50 ms | first answers | sweeps |',
    '|--:|--:|:--|--:|--:|--:|--:|--:|--:|--:|--:|--:|:--|:--|',
  ];
  for (const c of cells) {
    const mark = c.requestsMax <= c.target ? '✓' : '✗';
    lines.push(
      `| ${c.colos} | ${c.upstreams} | ${c.lease ? 'on' : 'off'} | ${c.poolLatencyMs} | ${c.names} | ${c.requestsMean.toFixed(1)} (${c.requestsMax}) ${mark} | ${c.target} | ${c.unleashed} | ${pct(c.completeness)} | ${pct(c.orderAgreement)} | ${ms(c.firstP50)} | ${ms(c.coldP50)} | ${statuses(c.firstStatus, c.firstP50ByStatus)} | ${statuses(c.sweeps)} |`,
    );
  }
  return lines.join('\n');
}

/** What the lease may add to a first query's p50 (the issue's target): being faster is fine. */
const LEASE_COST_TARGET_MS = 2;

/** First-query p50 with the lease minus without it, same K and N, pool latency 0, same run. */
export function leaseCost(cells: readonly FleetCellResult[]): string[] {
  const lines: string[] = [];
  for (const on of cells) {
    if (!on.lease || on.poolLatencyMs !== 0) continue;
    const off = cells.find(
      (c) =>
        !c.lease && c.poolLatencyMs === 0 && c.colos === on.colos && c.upstreams === on.upstreams,
    );
    const far = cells.find(
      (c) => c.lease && c.poolLatencyMs > 0 && c.colos === on.colos && c.upstreams === on.upstreams,
    );
    if (!off) continue;
    const delta = on.firstP50 - off.firstP50;
    const farText = far
      ? `; with a ${far.poolLatencyMs} ms pool ${ms(far.firstP50)} ms (${signed(far.firstP50 - off.firstP50)} ms)`
      : '';
    lines.push(
      `- K=${on.colos}, N=${on.upstreams}: first-query p50 ${ms(on.firstP50)} ms with the lease, ${ms(off.firstP50)} ms without (${signed(delta)} ms; target: at most 2 ms more${delta <= LEASE_COST_TARGET_MS ? ' ✓' : ' ✗'})${farText}`,
    );
  }
  return lines;
}

const signed = (value: number) => `${value >= 0 ? '+' : ''}${value.toFixed(1)}`;

export function fleetMarkdown(
  meta: FleetMeta,
  cells: readonly FleetCellResult[],
  flood: NxFloodResult | null,
  failures: readonly string[],
): string {
  const parts = [
    '## Fleet',
    '',
    `${meta.date} · ${meta.revision} · ${meta.durationS.toFixed(0)} s · load ${meta.load[0].toFixed(1)} → ${meta.load[1].toFixed(1)} · names per cell: ${meta.namesPerCell} · upstreams answer after ${meta.upstreamLatencies}`,
    '',
    "K colos (one Miniflare session, a worker each: own isolate, own Cache API namespace) share one DomainPool namespace, hosted by a worker of its own. The three variants of a K and N (lease on, lease off, lease on with 50 ms added to every pool call) run side by side in one session, on different names, so they share the machine's load. Each name is asked once per colo in a random colo order, the next colo asking once the previous colo's query log line (written after its fan-out and pool write) has appeared; then once more per colo. *upstream req/name*: both passes, ✓ when the worst name is within 2K+N−2. *complete*: second answers holding every address any upstream gave. *same order*: names whose second answers were identical in every colo. *first-query p50*: client latency of each colo's first query; *cold*: only the first colo's (nobody had the name). *first answers*: miss = the active tier answered, pool = the pool object did (count, p50). *sweeps*: the pool's sweep decisions for the first queries, from the query log (off: SWEEP_LEASE=false, every flight sweeps).",
    '',
    fleetTable(cells),
    '',
    ...leaseCost(cells),
    '',
  ];
  const byQuiet = cells.reduce((n, c) => n + c.settledByQuiet, 0);
  if (byQuiet > 0) {
    parts.push(
      `${byQuiet} first queries wrote no query log line within the deadline + 2 s; after those the next colo waited for the quiet rule instead.`,
      '',
    );
  }
  if (flood) {
    parts.push(
      `NXDOMAIN flood: ${flood.names} made-up names through one colo (N=5, lease on) in ${flood.seconds.toFixed(0)} s, answers ${statuses(flood.rcodes)} (p50 ${ms(flood.p50)} ms, p99 ${ms(flood.p99)} ms); ${flood.upstreamRequests} upstream requests. DomainPool objects with rows afterwards: ${flood.storage.objectsWithRows} = ${flood.controls} control names that exist + **${flood.leftByFlood} left by the flood** (${flood.storage.files} object files on disk, ${flood.storage.rows} rows).`,
      '',
    );
  }
  if (failures.length > 0) parts.push('**Failures:**', ...failures.map((f) => `- ${f}`), '');
  return parts.join('\n');
}
