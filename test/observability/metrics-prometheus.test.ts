/**
 * docs/operations.md §5: per-upstream and per-tenant counters in the Prometheus text
 * format 0.0.4, with escaped label values and a bounded number of label sets.
 */
import { describe, expect, it } from 'vitest';
import {
  LATENCY_BUCKETS_MS,
  MetricsRegistry,
  PER_ISOLATE_NOTE,
} from '../../src/observability/metrics';
import { lookupOf } from './lookup-fixtures';

/** The value of the one sample line that starts with `series` followed by a space. */
function sampleValue(text: string, series: string): number {
  const lines = text.split('\n').filter((line) => line.startsWith(`${series} `));
  expect(lines, series).toHaveLength(1);
  return Number(lines[0]?.slice(series.length + 1));
}

describe('rendering', () => {
  it('declares HELP and TYPE before the samples of every family, all prefixed edge_resolver_', () => {
    const metrics = new MetricsRegistry();
    metrics.countQuery('acme', 'hit');
    metrics.recordLookup(lookupOf([{ upstream: 'u1', start: 0, end: 10 }], { write: 'accepted' }));
    const text = metrics.render();
    expect(text.endsWith('\n')).toBe(true);

    const typed = new Map<string, string>();
    const [first, ...lines] = text.trimEnd().split('\n');
    // The scrape says it is one isolate's, not the fleet's.
    expect(first).toBe(PER_ISOLATE_NOTE);
    for (const line of lines) {
      const declared = /^# (HELP|TYPE) (\S+) (.+)$/.exec(line);
      if (declared) {
        expect(declared[2]).toMatch(/^edge_resolver_[a-z_]+$/);
        if (declared[1] === 'TYPE') typed.set(declared[2] ?? '', declared[3] ?? '');
        continue;
      }
      const sample = /^([a-z_]+)(\{[^}]*\})? (-?\d+(\.\d+)?)$/.exec(line);
      expect(sample, line).not.toBeNull();
      const name = sample?.[1] ?? '';
      const family = typed.has(name) ? name : name.replace(/_(bucket|sum|count)$/, '');
      expect(typed.has(family), `${name} has no TYPE before it`).toBe(true);
    }
    expect(typed.get('edge_resolver_upstream_latency_milliseconds')).toBe('histogram');
    expect(typed.get('edge_resolver_queries_total')).toBe('counter');
  });

  it('counts queries, failures by kind, wins, latency and contributed records per upstream', () => {
    const metrics = new MetricsRegistry();
    metrics.recordLookup(
      lookupOf(
        [
          { upstream: 'u1', start: 0, end: 18 },
          { upstream: 'u2', start: 0, end: 3000, outcome: 'timeout' },
          { upstream: 'u3', start: 18, end: 70, tier: 'background' },
          { upstream: 'u4', start: 18, end: 25, tier: 'background', outcome: 'refused' },
        ],
        { records: [['u1', 'u3'], ['u3']], write: 'merged' },
      ),
    );
    const text = metrics.render();
    const u = (name: string) => `tenant="acme",upstream="${name}"`;
    for (const name of ['u1', 'u2', 'u3', 'u4']) {
      expect(sampleValue(text, `edge_resolver_upstream_queries_total{${u(name)}}`)).toBe(1);
    }
    expect(sampleValue(text, `edge_resolver_upstream_wins_total{${u('u1')}}`)).toBe(1);
    expect(sampleValue(text, `edge_resolver_upstream_wins_total{${u('u3')}}`)).toBe(0);
    expect(
      sampleValue(text, `edge_resolver_upstream_failures_total{${u('u2')},kind="timeout"}`),
    ).toBe(1);
    expect(
      sampleValue(text, `edge_resolver_upstream_failures_total{${u('u4')},kind="refused"}`),
    ).toBe(1);
    expect(text).not.toMatch(/failures_total\{tenant="acme",upstream="u1"/);
    expect(sampleValue(text, `edge_resolver_upstream_pool_records_total{${u('u1')}}`)).toBe(1);
    expect(sampleValue(text, `edge_resolver_upstream_pool_records_total{${u('u3')}}`)).toBe(2);
    expect(
      sampleValue(text, `edge_resolver_pool_writes_total{tenant="acme",outcome="merged"}`),
    ).toBe(1);

    // 18 ms falls in the 25 ms bucket; buckets are cumulative up to +Inf.
    const latency = 'edge_resolver_upstream_latency_milliseconds';
    expect(sampleValue(text, `${latency}_bucket{${u('u1')},le="10"}`)).toBe(0);
    expect(sampleValue(text, `${latency}_bucket{${u('u1')},le="25"}`)).toBe(1);
    expect(sampleValue(text, `${latency}_bucket{${u('u1')},le="+Inf"}`)).toBe(1);
    expect(sampleValue(text, `${latency}_sum{${u('u3')}}`)).toBe(52);
    expect(sampleValue(text, `${latency}_count{${u('u3')}}`)).toBe(1);
    // A timeout measures the deadline, not the upstream: no latency sample.
    expect(sampleValue(text, `${latency}_count{${u('u2')}}`)).toBe(0);
    const buckets = text.split('\n').filter((l) => l.startsWith(`${latency}_bucket{${u('u1')},`));
    expect(buckets).toHaveLength(LATENCY_BUCKETS_MS.length + 1);
  });

  it('counts cache statuses per tenant and leaves an ECS subnet out of the tenant label', () => {
    const metrics = new MetricsRegistry();
    metrics.countQuery('acme', 'hit');
    metrics.countQuery('acme', 'hit');
    metrics.countQuery('acme', 'stale');
    metrics.countQuery('_default', 'local');
    metrics.recordLookup(
      lookupOf([{ upstream: 'u1', start: 0, end: 5 }], {
        scope: 'acme@192.0.2.0/24',
        write: 'rejected',
      }),
    );
    const text = metrics.render();
    expect(sampleValue(text, 'edge_resolver_queries_total{tenant="acme",cache="hit"}')).toBe(2);
    expect(sampleValue(text, 'edge_resolver_queries_total{tenant="acme",cache="stale"}')).toBe(1);
    expect(sampleValue(text, 'edge_resolver_queries_total{tenant="acme",cache="miss"}')).toBe(0);
    expect(sampleValue(text, 'edge_resolver_queries_total{tenant="_default",cache="local"}')).toBe(
      1,
    );
    expect(
      sampleValue(text, 'edge_resolver_pool_writes_total{tenant="acme",outcome="rejected"}'),
    ).toBe(1);
    expect(text).not.toContain('192.0.2.0');
  });

  it('escapes backslash, double quote and line feed in label values', () => {
    const metrics = new MetricsRegistry();
    metrics.recordLookup(lookupOf([{ upstream: 'a\\b"c\nd', start: 0, end: 5 }]));
    const text = metrics.render();
    expect(text).toContain(
      'edge_resolver_upstream_queries_total{tenant="acme",upstream="a\\\\b\\"c\\nd"} 1',
    );
    // The raw line feed never splits a sample line.
    expect(text.split('\n').every((line) => line === '' || /^(#|edge_resolver_)/.test(line))).toBe(
      true,
    );
  });
});

describe('bounds', () => {
  it('creates no label set past the cap and counts the observations it dropped', () => {
    const metrics = new MetricsRegistry(3);
    metrics.countQuery('t1', 'hit');
    metrics.countQuery('t2', 'hit');
    metrics.countQuery('t3', 'hit');
    for (let i = 4; i <= 100; i++) metrics.countQuery(`t${i}`, 'hit');
    // Existing label sets keep counting.
    metrics.countQuery('t1', 'hit');
    const text = metrics.render();
    expect(sampleValue(text, 'edge_resolver_queries_total{tenant="t1",cache="hit"}')).toBe(2);
    expect(text).not.toContain('tenant="t4"');
    expect(sampleValue(text, 'edge_resolver_metric_observations_dropped_total')).toBe(97);
  });

  it('counts a (tenant, upstream) pair as a label set of its own', () => {
    const metrics = new MetricsRegistry(2);
    metrics.recordLookup(
      lookupOf([
        { upstream: 'u1', start: 0, end: 5 },
        { upstream: 'u2', start: 0, end: 6 },
        { upstream: 'u3', start: 0, end: 7 },
      ]),
    );
    const text = metrics.render();
    expect(text).toContain('upstream="u1"');
    expect(text).toContain('upstream="u2"');
    expect(text).not.toContain('upstream="u3"');
    expect(sampleValue(text, 'edge_resolver_metric_observations_dropped_total')).toBe(1);
  });
});
