/**
 * The metrics page reads the same Prometheus text the API serves and sums it
 * into a few tables; parsing stays here so the page is markup only.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Samples of the text exposition format 0.0.4; comments and malformed lines are skipped. */
export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE.exec(line);
    if (!match) continue;
    const [, name = '', labelText = '', raw = ''] = match;
    const labels: Record<string, string> = {};
    for (const [, key = '', value = ''] of labelText.matchAll(LABEL)) {
      labels[key] = value.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    }
    const value = Number(raw);
    if (!Number.isNaN(value)) samples.push({ name, labels, value });
  }
  return samples;
}

export interface TenantSummary {
  readonly tenant: string;
  readonly queries: number;
  readonly hits: number;
  readonly rejectedWrites: number;
}

export interface UpstreamSummary {
  readonly upstream: string;
  readonly queries: number;
  readonly failures: number;
  readonly wins: number;
  /** Mean time to a usable answer; null before the first one. */
  readonly meanLatencyMs: number | null;
}

const P = 'edge_resolver_';

export function summarize(samples: readonly Sample[]): {
  tenants: TenantSummary[];
  upstreams: UpstreamSummary[];
} {
  const tenants = new Map<string, { queries: number; hits: number; rejectedWrites: number }>();
  const upstreams = new Map<
    string,
    { queries: number; failures: number; wins: number; sum: number; count: number }
  >();
  const tenant = (id: string) => {
    const found = tenants.get(id);
    if (found) return found;
    const created = { queries: 0, hits: 0, rejectedWrites: 0 };
    tenants.set(id, created);
    return created;
  };
  const upstream = (name: string) => {
    const found = upstreams.get(name);
    if (found) return found;
    const created = { queries: 0, failures: 0, wins: 0, sum: 0, count: 0 };
    upstreams.set(name, created);
    return created;
  };
  for (const { name, labels, value } of samples) {
    const t = labels.tenant ?? '';
    const u = labels.upstream ?? '';
    if (name === `${P}queries_total`) {
      tenant(t).queries += value;
      if (labels.cache === 'hit') tenant(t).hits += value;
    } else if (name === `${P}pool_writes_total` && labels.outcome === 'rejected') {
      tenant(t).rejectedWrites += value;
    } else if (name === `${P}upstream_queries_total`) upstream(u).queries += value;
    else if (name === `${P}upstream_failures_total`) upstream(u).failures += value;
    else if (name === `${P}upstream_wins_total`) upstream(u).wins += value;
    else if (name === `${P}upstream_latency_milliseconds_sum`) upstream(u).sum += value;
    else if (name === `${P}upstream_latency_milliseconds_count`) upstream(u).count += value;
  }
  return {
    tenants: [...tenants].map(([id, t]) => ({ tenant: id, ...t })),
    upstreams: [...upstreams].map(([name, u]) => ({
      upstream: name,
      queries: u.queries,
      failures: u.failures,
      wins: u.wins,
      meanLatencyMs: u.count > 0 ? Math.round(u.sum / u.count) : null,
    })),
  };
}
