/**
 * docs/operations.md §5 through the worker against the loopback fleet: a miss and its
 * background show up in /admin/metrics (a query per upstream, a win for the
 * winner) and as a trace with five attempts, as JSON, SVG and an HTML page.
 * Admin-only routes refuse a missing token (401) and a tenant token (403); a
 * tenant reads its own traces and nobody else's.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Trace as StoredTrace } from '../../src/observability/trace-store';
import { fleetBindings, uniqueFleetName } from '../resolver/fleet-worker';
import {
  ADMIN_TOKEN,
  bearer,
  type CreatedTenant,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from '../routes/admin-client';
import { callWorker, fetchWorker, getPath, queryBytes } from '../routes/worker-client';

const FLEET = ['fleet-1', 'fleet-2', 'fleet-3', 'fleet-4', 'fleet-5'];

/** A trace as the admin API serves it: with links to its JSON, SVG and page. */
type Trace = StoredTrace & {
  links: { json: string; svg: string; view: string; browserView: string | null };
};

async function admin(path: string, token = ADMIN_TOKEN): Promise<Response> {
  return fetchWorker(path, { headers: bearer(token) });
}

async function metricsText(): Promise<string> {
  const response = await admin('/admin/metrics');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

/** The default tenant's value of one upstream series, 0 while it does not exist yet. */
function upstreamValue(text: string, metric: string, upstream: string): number {
  const series = `edge_resolver_${metric}{tenant="_default",upstream="${upstream}"} `;
  const line = text.split('\n').find((l) => l.startsWith(series));
  return line === undefined ? 0 : Number(line.slice(series.length));
}

async function tracesFor(name: string, path = '/admin/traces', token = ADMIN_TOKEN) {
  const response = await admin(`${path}?name=${encodeURIComponent(name)}`, token);
  expect(response.status).toBe(200);
  return (await response.json<{ traces: Trace[] }>()).traces;
}

describe('after one miss against the five-upstream fleet', () => {
  const name = uniqueFleetName('observe');
  let before = '';
  let after = '';
  let winner = '';
  let trace: Trace | undefined;

  beforeAll(async () => {
    before = await metricsText();
    const miss = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
    winner = /upstream;dur=[\d.]+;desc="([^"]+)"/.exec(
      miss.response.headers.get('server-timing') ?? '',
    )?.[1] as string;
    await miss.background;
    after = await metricsText();
    [trace] = await tracesFor(name);
  });

  it('counts one query for each upstream and one win for the winner', () => {
    expect(FLEET).toContain(winner);
    for (const upstream of FLEET) {
      const delta = (metric: string) =>
        upstreamValue(after, metric, upstream) - upstreamValue(before, metric, upstream);
      expect(delta('upstream_queries_total'), upstream).toBe(1);
      expect(delta('upstream_wins_total'), upstream).toBe(upstream === winner ? 1 : 0);
      expect(delta('upstream_latency_milliseconds_count'), upstream).toBe(1);
      // Every fleet member knows two of the six addresses, all in the merged pool.
      expect(delta('upstream_pool_records_total'), upstream).toBe(2);
    }
  });

  it('counts the miss and the accepted pool write for the default tenant', () => {
    const value = (text: string, series: string) =>
      Number(
        text
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1] ?? 0,
      );
    const miss = 'edge_resolver_queries_total{tenant="_default",cache="miss"}';
    const accepted = 'edge_resolver_pool_writes_total{tenant="_default",outcome="accepted"}';
    expect(value(after, miss) - value(before, miss)).toBe(1);
    expect(value(after, accepted) - value(before, accepted)).toBe(1);
  });

  it('lists the trace with five attempts, the winner and the time of the answer', () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    expect(trace).toMatchObject({ tenant: '_default', name, type: 'A', winner, mergeSize: 6 });
    expect(trace.attempts.map((a) => a.upstream).sort()).toEqual(FLEET);
    expect(trace.attempts.filter((a) => a.tier === 'active')).toHaveLength(2);
    const won = trace.attempts.find((a) => a.upstream === winner);
    expect(trace.answeredAtMs).toBe(won?.endMs);
    expect(Date.parse(trace.startedAt)).not.toBeNaN();
  });

  it('returns the same trace by id as JSON', async () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    const response = await admin(`/admin/traces/${trace.id}`);
    expect(response.status).toBe(200);
    // The signed link changes when a five-minute window ends between the two requests.
    expect(await response.json()).toEqual({
      ...trace,
      links: { ...trace.links, browserView: expect.any(String) },
    });
  });

  it('links the trace to its JSON, SVG and page, each of which answers', async () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    const base = `http://localhost/admin/traces/${trace.id}`;
    expect(trace.links).toMatchObject({
      json: base,
      svg: `${base}/timeline.svg`,
      view: `${base}/view`,
    });
    for (const link of [trace.links.json, trace.links.svg, trace.links.view]) {
      const response = await admin(new URL(link ?? '').pathname);
      expect(`${link} -> ${response.status}`).toBe(`${link} -> 200`);
    }
  });

  it('opens the page through its signed link without a token, and only that page', async () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    const signed = new URL(trace.links.browserView ?? '');
    expect(signed.pathname).toBe(`/admin/traces/${trace.id}/view`);
    expect(signed.searchParams.get('sig')).toMatch(/^[0-9a-f]{64}$/);
    const page = await fetchWorker(signed.pathname + signed.search);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<svg xmlns="http://www.w3.org/2000/svg"');

    const tampered = signed.search.replace(/sig=(.)/, (_, c) => `sig=${c === '0' ? '1' : '0'}`);
    expect((await fetchWorker(signed.pathname + tampered)).status).toBe(401);
    const otherPath = `/admin/traces/${trace.id}/timeline.svg${signed.search}`;
    expect((await fetchWorker(otherPath)).status).toBe(401);
    const otherTrace = `/admin/traces/0000000000000000/view${signed.search}`;
    expect((await fetchWorker(otherTrace)).status).toBe(401);
  });

  it('draws the trace as an SVG with five rows and the answer marker', async () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    const response = await admin(`/admin/traces/${trace.id}/timeline.svg`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const svg = await response.text();
    expect(svg.match(/<g class="row"/g)).toHaveLength(5);
    expect(svg).toContain('<g class="answer">');
  });

  it('serves a page with the SVG inline and one table row per attempt', async () => {
    if (!trace) throw new Error(`no trace for ${name}`);
    const response = await admin(`/admin/traces/${trace.id}/view`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
    expect(html.match(/<tr><td>fleet-\d<\/td>/g)).toHaveLength(5);
  });

  it('answers 404 for a trace id it does not hold', async () => {
    expect((await admin('/admin/traces/0000000000000000')).status).toBe(404);
  });
});

describe('who may read metrics and traces', () => {
  let tenant: CreatedTenant;
  let other: CreatedTenant;
  const name = uniqueFleetName('tenant-trace');

  beforeAll(async () => {
    tenant = await createTenant(uniqueTenantId('obs'), { upstreams: fleetTcpUpstreams('fleet-2') });
    other = await createTenant(uniqueTenantId('obs-other'), {
      upstreams: fleetTcpUpstreams('fleet-4'),
    });
    const miss = await callWorker(`/t/${tenant.id}${getPath(queryBytes(name))}`);
    expect(miss.response.status).toBe(200);
    await miss.background;
  });

  it.each([
    '/admin/metrics',
    '/admin/traces',
    '/admin/traces/0000000000000000',
    '/admin/traces/0000000000000000/timeline.svg',
    '/admin/traces/0000000000000000/view',
  ])('refuses %s without a token (401) and with a tenant token (403)', async (path) => {
    expect((await fetchWorker(path)).status).toBe(401);
    expect((await admin(path, tenant.token)).status).toBe(403);
  });

  it("lets a tenant read its own traces, including the SVG, but not another tenant's", async () => {
    const own = await tracesFor(name, `/admin/tenants/${tenant.id}/traces`, tenant.token);
    expect(own).toHaveLength(1);
    const [trace] = own;
    if (!trace) throw new Error('no trace');
    expect(trace.tenant).toBe(tenant.id);
    expect(trace.attempts.map((a) => a.upstream)).toEqual(['fleet-2']);

    const byId = `/admin/tenants/${tenant.id}/traces/${trace.id}`;
    expect((await admin(byId, tenant.token)).status).toBe(200);
    const svg = await admin(`${byId}/timeline.svg`, tenant.token);
    expect(svg.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    const page = await admin(`${byId}/view`, tenant.token);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Its links go through its own routes, and the signed one opens without a token.
    expect(trace.links.view).toBe(`http://localhost${byId}/view`);
    const signed = new URL(trace.links.browserView ?? '');
    expect(signed.pathname).toBe(`${byId}/view`);
    expect((await fetchWorker(signed.pathname + signed.search)).status).toBe(200);
    expect((await admin(`${byId}/view`, other.token)).status).toBe(401);

    // The other tenant sees neither the list nor the trace through its own id.
    expect((await admin(`/admin/tenants/${tenant.id}/traces`, other.token)).status).toBe(401);
    expect(await tracesFor(name, `/admin/tenants/${other.id}/traces`, other.token)).toEqual([]);
    expect((await admin(`/admin/tenants/${other.id}/traces/${trace.id}`, other.token)).status).toBe(
      404,
    );
  });

  it('shows the admin every tenant, filtered by name', async () => {
    const traces = await tracesFor(name);
    expect(traces.map((t) => t.tenant)).toEqual([tenant.id]);
  });
});
