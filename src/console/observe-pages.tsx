/**
 * The console's read-only pages: upstream health, recent lookups with their
 * SVG timelines, the pool inspector and a metrics summary. Each reads the
 * admin API; what it shows is this isolate's view (health, lookups,
 * metrics) or the pool's own truth (the Durable Object), and says which.
 */
import { type Context, Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { HttpError } from '../errors';
import { traceFacts } from '../observability/trace-page';
import type { Trace } from '../observability/trace-store';
import { DEFAULT_TENANT } from '../resolver/isolate-resolver';
import type { ApiAnswer } from './admin-api';
import { apiError } from './admin-api';
import { requireAdminSession, requireTenantAccess } from './console-auth';
import { Layout, Table } from './layout';
import { parsePrometheus, summarize } from './prometheus-summary';

type ConsoleContext = Context<AppEnv>;
type Api = (c: ConsoleContext, method: string, path: string) => Promise<ApiAnswer>;

/** Lookups listed per page: the isolate keeps 200, a phone shows a few dozen. */
const LOOKUP_ROWS = 50;

const ISOLATE_NOTE =
  'This is one isolate’s view (the one that answered this page); the fleet’s is in the FLEET_METRICS dataset.';

export function observePages(api: Api): Hono<AppEnv> {
  const pages = new Hono<AppEnv>();
  const read = async (c: ConsoleContext, path: string) => {
    const answer = await api(c, 'GET', path);
    if (answer.status !== 200)
      throw new HttpError(answer.status === 404 ? 404 : 502, apiError(answer));
    return answer;
  };

  pages.get('/health', async (c) => {
    const session = c.get('session');
    requireAdminSession(session);
    const { upstreams } = (await read(c, '/health')).body as {
      upstreams: Record<string, unknown>[];
    };
    // Whatever fields the health snapshot has (scope, score, latency, failures, cool-down…), all shown.
    const columns = [...new Set(upstreams.flatMap((u) => Object.keys(u)))];
    return c.html(
      <Layout title="Upstream health" session={session}>
        <p class="muted">
          {ISOLATE_NOTE} Lower score ranks first; coolingUntil is a clock time (ms).
        </p>
        <Table head={columns}>
          {upstreams.map((u) => (
            <tr>
              {columns.map((column) => (
                <td>{cell(u[column], column)}</td>
              ))}
            </tr>
          ))}
        </Table>
        {upstreams.length === 0 ? (
          <p class="muted">No upstream asked yet in this isolate.</p>
        ) : null}
      </Layout>,
    );
  });

  pages.get('/lookups', async (c) => {
    const session = c.get('session');
    const tenant = session.role === 'tenant' ? session.tenant : c.req.query('tenant') || undefined;
    const name = c.req.query('name') ?? '';
    const filter = name ? `?name=${encodeURIComponent(name)}` : '';
    const path =
      session.role === 'tenant'
        ? `/tenants/${encodeURIComponent(session.tenant)}/traces${filter}`
        : `/traces${filter}${tenant ? `${filter ? '&' : '?'}tenant=${encodeURIComponent(tenant)}` : ''}`;
    const { traces } = (await read(c, path)).body as { traces: Trace[] };
    return c.html(
      <Layout title={tenant ? `Recent lookups of ${tenant}` : 'Recent lookups'} session={session}>
        <form method="get" action="/admin/ui/lookups" class="actions">
          {session.role === 'admin' ? (
            <input
              name="tenant"
              placeholder="tenant (all)"
              value={tenant ?? ''}
              aria-label="tenant"
            />
          ) : null}
          <input name="name" placeholder="name" value={name} aria-label="name" />
          <button type="submit">Filter</button>
        </form>
        <p class="muted">{ISOLATE_NOTE} Cache hits start no fan-out and have no timeline.</p>
        <Table head={['name', 'timeline', 'answered', 'winner', 'write', 'tenant', 'started']}>
          {/* What a phone shows without scrolling first: the name and its timeline. */}
          {traces.slice(0, LOOKUP_ROWS).map((t) => (
            <tr>
              <td class="wrap">
                <a href={lookupHref(t)}>{t.name}</a> {t.type}
              </td>
              <td>
                <a href={lookupHref(t)}>
                  <img
                    src={`${lookupHref(t)}/timeline.svg`}
                    alt={`timeline of ${t.name}`}
                    width="160"
                  />
                </a>
              </td>
              <td>{t.answeredAtMs === null ? '–' : `${t.answeredAtMs} ms`}</td>
              <td>{t.winner ?? 'none'}</td>
              <td>{t.write ?? '–'}</td>
              <td>{t.tenant}</td>
              <td>{t.startedAt}</td>
            </tr>
          ))}
        </Table>
        {traces.length === 0 ? <p class="muted">No lookups in this isolate yet.</p> : null}
      </Layout>,
    );
  });

  pages.get('/lookups/:tenant/:id', async (c) => {
    const session = c.get('session');
    const tenant = c.req.param('tenant');
    requireTenantAccess(session, tenant);
    const trace = (await read(c, tracePath(tenant, c.req.param('id')))).body as Trace;
    const facts = traceFacts(trace);
    return c.html(
      <Layout title={`Lookup ${trace.name} ${trace.type}`} session={session}>
        {/* On a phone the drawing is small: tapping it opens it alone, zoomable. */}
        <a href={`${lookupHref(trace)}/timeline.svg`}>
          <img
            class="timeline"
            src={`${lookupHref(trace)}/timeline.svg`}
            alt={`timeline of ${trace.name}`}
          />
        </a>
        <h2>Facts</h2>
        <dl class="facts">
          {facts.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
        <h2>Upstream attempts</h2>
        <Table
          head={[
            'upstream',
            'tier',
            'start ms',
            'end ms',
            'took ms',
            'outcome',
            'records',
            'reason',
          ]}
        >
          {trace.attempts.map((a) => (
            <tr>
              <td>{a.upstream}</td>
              <td>{a.tier}</td>
              <td>{a.startMs}</td>
              <td>{a.endMs}</td>
              <td>{a.endMs - a.startMs}</td>
              <td>{a.outcome}</td>
              <td>{a.records}</td>
              <td class="wrap">{a.reason ?? ''}</td>
            </tr>
          ))}
        </Table>
        <p>
          <a
            href={`/admin/ui/pools?tenant=${trace.tenant}&name=${encodeURIComponent(trace.name)}&type=${trace.type}`}
          >
            Its pool
          </a>
        </p>
      </Layout>,
    );
  });

  /** The API's SVG, passed through: an <img> cannot send the bearer header, the cookie it can. */
  pages.get('/lookups/:tenant/:id/timeline.svg', async (c) => {
    const tenant = c.req.param('tenant');
    requireTenantAccess(c.get('session'), tenant);
    const answer = await read(c, `${tracePath(tenant, c.req.param('id'))}/timeline.svg`);
    return c.body(answer.text, 200, {
      'content-type': 'image/svg+xml; charset=utf-8',
      // Names in traces come from clients: the SVG may not run or load anything.
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
  });

  pages.get('/pools', async (c) => {
    const session = c.get('session');
    const tenant = session.role === 'tenant' ? session.tenant : (c.req.query('tenant') ?? '');
    const name = (c.req.query('name') ?? '').trim();
    const type = (c.req.query('type') ?? 'A').trim().toUpperCase() || 'A';
    let result: ApiAnswer | null = null;
    if (name !== '') {
      const pool = `${encodeURIComponent(name)}/${encodeURIComponent(type)}`;
      // The default tenant's pools are the admin's (the API's rule, /admin/pools).
      result = await api(
        c,
        'GET',
        tenant ? `/tenants/${encodeURIComponent(tenant)}/pools/${pool}` : `/pools/${pool}`,
      );
    }
    const view = result?.status === 200 ? (result.body as PoolView) : null;
    return c.html(
      <Layout title="Pool inspector" session={session}>
        <form method="get" action="/admin/ui/pools" class="actions">
          {session.role === 'admin' ? (
            <input
              name="tenant"
              placeholder="tenant (default)"
              value={tenant}
              aria-label="tenant"
            />
          ) : null}
          <input name="name" placeholder="name" value={name} aria-label="name" required />
          <input name="type" placeholder="type" value={type} aria-label="type" size={6} />
          <button type="submit">Inspect</button>
        </form>
        {result && !view ? <p class="error">{apiError(result)}</p> : null}
        {view ? (
          <>
            <dl class="facts">
              <dt>pool</dt>
              <dd>
                {view.name} {view.type} ({tenant || 'default tenant'})
              </dd>
              <dt>version</dt>
              <dd>{view.version}</dd>
              <dt>rejected writes</dt>
              <dd>{String(view.rejectedWrites)}</dd>
              <dt>updated</dt>
              <dd>{view.updatedAt}</dd>
              <dt>negative answer</dt>
              <dd>{view.negative ? `${view.negative.rcode}, TTL ${view.negative.ttl}` : 'none'}</dd>
            </dl>
            <h2>Records, in served order</h2>
            <Table head={['data', 'sources', 'ttl', 'expires']}>
              {view.records.map((r) => (
                <tr>
                  <td class="wrap">{r.data}</td>
                  <td>{r.sources.join(', ')}</td>
                  <td>{r.ttl}</td>
                  <td>{r.expiresAt}</td>
                </tr>
              ))}
            </Table>
          </>
        ) : null}
      </Layout>,
    );
  });

  pages.get('/metrics', async (c) => {
    const session = c.get('session');
    requireAdminSession(session);
    const { tenants, upstreams } = summarize(parsePrometheus((await read(c, '/metrics')).text));
    return c.html(
      <Layout title="Metrics summary" session={session}>
        <p class="muted">
          {ISOLATE_NOTE} Raw counters: <code>GET /admin/metrics</code> (Prometheus text).
        </p>
        <h2>Queries per tenant</h2>
        <Table head={['tenant', 'queries', 'hit ratio', 'rejected pool writes']}>
          {tenants.map((t) => (
            <tr>
              <td>{t.tenant}</td>
              <td>{t.queries}</td>
              <td>{t.queries > 0 ? `${Math.round((100 * t.hits) / t.queries)} %` : '–'}</td>
              <td>{t.rejectedWrites}</td>
            </tr>
          ))}
        </Table>
        <h2>Upstreams</h2>
        <Table head={['upstream', 'queries', 'failures', 'failure rate', 'wins', 'mean latency']}>
          {upstreams.map((u) => (
            <tr>
              <td>{u.upstream}</td>
              <td>{u.queries}</td>
              <td>{u.failures}</td>
              <td>{u.queries > 0 ? `${Math.round((100 * u.failures) / u.queries)} %` : '–'}</td>
              <td>{u.wins}</td>
              <td>{u.meanLatencyMs === null ? '–' : `${u.meanLatencyMs} ms`}</td>
            </tr>
          ))}
        </Table>
      </Layout>,
    );
  });

  return pages;
}

interface PoolView {
  name: string;
  type: string;
  version: string;
  records: { data: string; ttl: number; expiresAt: string; sources: string[] }[];
  negative: { rcode: string; ttl: number } | null;
  rejectedWrites: number;
  updatedAt: string;
}

/** Console URL of a lookup: under its tenant, so the tenant rule applies to the path alone. */
function lookupHref(trace: Pick<Trace, 'tenant' | 'id'>): string {
  return `/admin/ui/lookups/${encodeURIComponent(trace.tenant)}/${encodeURIComponent(trace.id)}`;
}

/** The API path of a trace: the default tenant's are admin-only under /traces. */
function tracePath(tenant: string, id: string): string {
  return tenant === DEFAULT_TENANT
    ? `/traces/${encodeURIComponent(id)}`
    : `/tenants/${encodeURIComponent(tenant)}/traces/${encodeURIComponent(id)}`;
}

function cell(value: unknown, column: string): string {
  if (value === null || value === undefined) return '–';
  if (typeof value === 'number') {
    if (column === 'coolingUntil') return new Date(value).toISOString();
    return Number.isInteger(value) ? String(value) : value.toFixed(3);
  }
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
