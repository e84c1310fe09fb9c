/**
 * Per-isolate counters (docs/operations.md §5), rendered in the Prometheus text exposition
 * format 0.0.4. No I/O: every isolate counts its own traffic, like upstream
 * health, and a scraper sums over isolates (each scrape reaches one isolate,
 * so this is a sample of the fleet, not its total).
 *
 * Recording is a Map lookup and a few additions; the hot path (a cache hit)
 * does one increment.
 *
 * @see https://prometheus.io/docs/instrumenting/exposition_formats/
 */
import type { CacheStatus } from '../resolver/resolver';
import type { UpstreamFailureKind } from '../upstream/types';
import { contributions, type Lookup, tenantOf, type WriteOutcome } from './lookup';

/** Every metric name starts with this, so the resolver's series are easy to select. */
const PREFIX = 'edge_resolver_';

/**
 * At most this many label sets: one per tenant plus one per (tenant, upstream).
 * Each is a small fixed-size object (its failure kinds and histogram buckets
 * are bounded too), so a flood of tenants cannot grow the isolate's memory
 * without limit. Past the cap new label sets are not created; their
 * observations are counted in `edge_resolver_metric_observations_dropped_total`.
 */
export const MAX_LABEL_SETS = 1_000;

/**
 * Upper bounds (ms) of the latency histogram: from a colo-local resolver
 * (a few ms) to the slowest answer still worth waiting for (the default
 * DEADLINE_MS is 3000).
 */
export const LATENCY_BUCKETS_MS: readonly number[] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500];

/** The first line of every scrape. */
export const PER_ISOLATE_NOTE =
  '# Counters of ONE isolate since it started (each scrape may reach another); for the fleet, query the FLEET_METRICS Analytics Engine dataset.';

const CACHE_STATUSES: readonly CacheStatus[] = ['hit', 'miss', 'pool', 'stale', 'local'];
const WRITE_OUTCOMES: readonly WriteOutcome[] = ['accepted', 'merged', 'rejected', 'failed'];

interface TenantSeries {
  readonly tenant: string;
  readonly queries: Record<CacheStatus, number>;
  readonly writes: Record<WriteOutcome, number>;
}

interface UpstreamSeries {
  readonly tenant: string;
  readonly upstream: string;
  queries: number;
  wins: number;
  records: number;
  readonly failures: Map<UpstreamFailureKind, number>;
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly buckets: number[];
  latencySum: number;
  latencyCount: number;
}

export class MetricsRegistry {
  private readonly tenants = new Map<string, TenantSeries>();
  private readonly upstreams = new Map<string, UpstreamSeries>();
  private dropped = 0;

  constructor(private readonly maxLabelSets = MAX_LABEL_SETS) {}

  /** One client query answered with `status` (the route calls this once per query). */
  countQuery(tenant: string, status: CacheStatus): void {
    const series = this.tenantSeries(tenant);
    if (series) series.queries[status] += 1;
  }

  /** One finished fan-out: every attempt, the winner, the merge and the pool write. */
  recordLookup(lookup: Lookup): void {
    const tenant = tenantOf(lookup.scope);
    const { report } = lookup;
    for (const attempt of report.attempts) {
      const series = this.upstreamSeries(tenant, attempt.upstream.name);
      if (!series) continue;
      series.queries += 1;
      if (attempt.result.ok) {
        // Latency of usable answers only: a timeout measures the deadline, not the upstream.
        this.observeLatency(series, attempt.endedAt - attempt.startedAt);
      } else {
        const kind = attempt.result.failure.kind;
        series.failures.set(kind, (series.failures.get(kind) ?? 0) + 1);
      }
      if (attempt === report.winner) series.wins += 1;
    }
    for (const [upstream, count] of contributions(lookup.records)) {
      const series = this.upstreamSeries(tenant, upstream);
      if (series) series.records += count;
    }
    if (lookup.write) {
      const series = this.tenantSeries(tenant);
      if (series) series.writes[lookup.write] += 1;
    }
  }

  /** The text exposition format 0.0.4; serve as `text/plain; version=0.0.4`. */
  render(): string {
    // A plain comment line (format 0.0.4 ignores it): whoever reads the
    // output learns it is not the fleet's total.
    const out: string[] = [PER_ISOLATE_NOTE];
    const tenants = [...this.tenants.values()];
    const upstreams = [...this.upstreams.values()];

    family(out, 'queries_total', 'counter', 'Client queries by cache status.');
    for (const s of tenants) {
      for (const status of CACHE_STATUSES) {
        sample(out, 'queries_total', { tenant: s.tenant, cache: status }, s.queries[status]);
      }
    }
    family(out, 'pool_writes_total', 'counter', 'Pool writes by outcome.');
    for (const s of tenants) {
      for (const outcome of WRITE_OUTCOMES) {
        sample(out, 'pool_writes_total', { tenant: s.tenant, outcome }, s.writes[outcome]);
      }
    }

    const perUpstream = (s: UpstreamSeries) => ({ tenant: s.tenant, upstream: s.upstream });
    family(out, 'upstream_queries_total', 'counter', 'Queries sent to an upstream.');
    for (const s of upstreams) sample(out, 'upstream_queries_total', perUpstream(s), s.queries);
    family(out, 'upstream_failures_total', 'counter', 'Upstream queries that failed, by kind.');
    for (const s of upstreams) {
      for (const [kind, count] of s.failures) {
        sample(out, 'upstream_failures_total', { ...perUpstream(s), kind }, count);
      }
    }
    family(out, 'upstream_wins_total', 'counter', 'Answers sent to the client (first usable).');
    for (const s of upstreams) sample(out, 'upstream_wins_total', perUpstream(s), s.wins);
    family(
      out,
      'upstream_pool_records_total',
      'counter',
      'Records an upstream contributed to merged pools.',
    );
    for (const s of upstreams)
      sample(out, 'upstream_pool_records_total', perUpstream(s), s.records);

    const latency = 'upstream_latency_milliseconds';
    family(out, latency, 'histogram', 'Time to a usable answer from an upstream, in ms.');
    for (const s of upstreams) {
      let cumulative = 0;
      s.buckets.forEach((count, i) => {
        cumulative += count;
        const le = String(LATENCY_BUCKETS_MS[i] ?? '+Inf');
        sample(out, `${latency}_bucket`, { ...perUpstream(s), le }, cumulative);
      });
      sample(out, `${latency}_sum`, perUpstream(s), s.latencySum);
      sample(out, `${latency}_count`, perUpstream(s), s.latencyCount);
    }

    family(
      out,
      'metric_observations_dropped_total',
      'counter',
      `Observations not recorded because ${this.maxLabelSets} label sets exist.`,
    );
    sample(out, 'metric_observations_dropped_total', {}, this.dropped);
    return `${out.join('\n')}\n`;
  }

  private tenantSeries(tenant: string): TenantSeries | undefined {
    const found = this.tenants.get(tenant);
    if (found) return found;
    if (!this.hasRoom()) return undefined;
    const created: TenantSeries = {
      tenant,
      queries: { hit: 0, miss: 0, pool: 0, stale: 0, local: 0 },
      writes: { accepted: 0, merged: 0, rejected: 0, failed: 0 },
    };
    this.tenants.set(tenant, created);
    return created;
  }

  private upstreamSeries(tenant: string, upstream: string): UpstreamSeries | undefined {
    // NUL cannot occur in a tenant id, so the key is unambiguous.
    const key = `${tenant}\0${upstream}`;
    const found = this.upstreams.get(key);
    if (found) return found;
    if (!this.hasRoom()) return undefined;
    const created: UpstreamSeries = {
      tenant,
      upstream,
      queries: 0,
      wins: 0,
      records: 0,
      failures: new Map(),
      buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
      latencySum: 0,
      latencyCount: 0,
    };
    this.upstreams.set(key, created);
    return created;
  }

  private hasRoom(): boolean {
    if (this.tenants.size + this.upstreams.size < this.maxLabelSets) return true;
    this.dropped += 1;
    return false;
  }

  private observeLatency(series: UpstreamSeries, ms: number): void {
    let i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    if (i === -1) i = LATENCY_BUCKETS_MS.length;
    series.buckets[i] = (series.buckets[i] ?? 0) + 1;
    series.latencySum += ms;
    series.latencyCount += 1;
  }
}

function family(out: string[], name: string, type: 'counter' | 'histogram', help: string): void {
  out.push(`# HELP ${PREFIX}${name} ${escapeHelp(help)}`, `# TYPE ${PREFIX}${name} ${type}`);
}

function sample(out: string[], name: string, labels: Record<string, string>, value: number): void {
  const pairs = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabelValue(v)}"`);
  out.push(`${PREFIX}${name}${pairs.length > 0 ? `{${pairs.join(',')}}` : ''} ${value}`);
}

/** Format 0.0.4: in label values, backslash, double quote and line feed are escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Format 0.0.4: in HELP text, backslash and line feed are escaped. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}
