/**
 * Admin API (SPEC §4, §8, §10), mounted at `/admin`: tenant CRUD (PUT
 * replaces, PATCH merges), listing and token rotation, pool inspection, upstream health, metrics and fan-out traces. Every route needs a bearer
 * token; see admin-auth.ts for who may do what.
 */
import { type Context, Hono } from 'hono';
import { adminBearer, requireAdmin, requireTenant } from '../admin/admin-auth';
import { applyMergePatch } from '../admin/merge-patch';
import { type PathSigner, pathSigner } from '../admin/signed-link';
import type { AppEnv } from '../app-env';
import { loadConfig } from '../env';
import { HttpError, JsonApiError } from '../errors';
import { tracePage } from '../observability/trace-page';
import type { Trace } from '../observability/trace-store';
import { traceSvg } from '../observability/trace-svg';
import { durablePoolGateway } from '../pool/pool-gateway';
import {
  DEFAULT_TENANT,
  isolateHealth,
  isolateMetrics,
  isolateTraces,
} from '../resolver/isolate-resolver';
import { type TenantConfig, validateTenantConfig } from '../tenants/tenant-config';
import { isValidTenantId } from '../tenants/tenant-host';
import { MAX_TENANT_PAGE, type TenantRecord, tenantStore } from '../tenants/tenant-store';
import { generateToken, hashToken } from '../tenants/tenant-token';

type AppContext = Context<AppEnv>;

/** Admin bodies are small JSON configs; anything bigger is a mistake or an attack. */
const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use('*', adminBearer());

adminRoutes.post('/tenants', async (c) => {
  requireAdmin(c);
  const body = await readJson(c);
  const id = typeof body === 'object' && body !== null && 'id' in body ? body.id : undefined;
  if (typeof id !== 'string' || !isValidTenantId(id)) {
    throw new JsonApiError(
      400,
      'id: must be one DNS label of lower-case letters, digits and hyphens',
    );
  }
  const config = checkConfig(c, 'config' in body ? body.config : undefined);
  const store = tenantStore(c.env.TENANTS);
  if (await store.get(id)) throw new JsonApiError(409, `tenant ${id} already exists`);
  const token = generateToken();
  const now = new Date().toISOString();
  await store.put({
    id,
    config,
    tokenHash: await hashToken(token),
    createdAt: now,
    updatedAt: now,
  });
  return c.json({ id, token, config }, 201);
});

/** Admin only: one page of tenant ids, `?limit=` (1..1000, 100) and `?cursor=` from the previous page. */
adminRoutes.get('/tenants', async (c) => {
  requireAdmin(c);
  const limit = pageLimit(c.req.query('limit'));
  const cursor = c.req.query('cursor') || undefined;
  try {
    return c.json(await tenantStore(c.env.TENANTS).list(limit, cursor), 200, {
      'cache-control': 'no-store',
    });
  } catch (error) {
    // KV refuses a cursor it did not issue; anything else is ours to report.
    if (cursor === undefined) throw error;
    throw new JsonApiError(400, 'cursor: not one this listing returned');
  }
});

adminRoutes.get('/tenants/:id', async (c) =>
  c.json(publicView(await requireTenant(c, c.req.param('id')))),
);

/** PUT replaces the whole config: fields left out take their defaults. */
adminRoutes.put('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return c.json(publicView(await saveConfig(c, record, await readJson(c))));
});

/**
 * PATCH merges a JSON Merge Patch (RFC 7396) into the stored config, then
 * validates the result like a PUT: `{"deny": ["ads.example"]}` touches the
 * deny list only, `{"fanout": {"activeTierSize": null}}` removes one override.
 */
adminRoutes.patch('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  const merged = applyMergePatch(record.config, await readJson(c));
  return c.json(publicView(await saveConfig(c, record, merged)));
});

adminRoutes.delete('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  await tenantStore(c.env.TENANTS).delete(record.id);
  return c.body(null, 204);
});

adminRoutes.post('/tenants/:id/token', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  const token = generateToken();
  await tenantStore(c.env.TENANTS).put({
    ...record,
    tokenHash: await hashToken(token),
    updatedAt: new Date().toISOString(),
  });
  return c.json({ id: record.id, token });
});

adminRoutes.get('/tenants/:id/pools/:name/:type', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return inspectPool(c, record.id, c.req.param('name'), c.req.param('type'));
});

/** The default tenant's pools (SPEC §4): admin only. */
adminRoutes.get('/pools/:name/:type', async (c) => {
  requireAdmin(c);
  return inspectPool(c, DEFAULT_TENANT, c.req.param('name'), c.req.param('type'));
});

/** This isolate's view of upstream health (SPEC §2): admin only. */
adminRoutes.get('/health', (c) => {
  requireAdmin(c);
  return c.json({ upstreams: isolateHealth.snapshot() });
});

/** This isolate's counters in the Prometheus text format (SPEC §10): admin only. */
adminRoutes.get('/metrics', (c) => {
  requireAdmin(c);
  return c.body(isolateMetrics.render(), 200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
    'cache-control': 'no-store',
  });
});

/** This isolate's recent fan-outs, newest first; `?name=` and `?tenant=` filter. Admin only. */
adminRoutes.get('/traces', (c) => {
  requireAdmin(c);
  return listTraces(c, c.req.query('tenant'), 'admin');
});

adminRoutes.get('/traces/:id', async (c) => {
  requireAdmin(c);
  return c.json(await withLinks(c, findTrace(c.req.param('id'))), 200, NO_STORE);
});

adminRoutes.get('/traces/:id/timeline.svg', (c) => {
  requireAdmin(c);
  return sendSvg(c, findTrace(c.req.param('id')));
});

adminRoutes.get('/traces/:id/view', (c) => {
  requireAdmin(c);
  return sendPage(c, findTrace(c.req.param('id')));
});

/** A tenant's own traces: admin or that tenant. */
adminRoutes.get('/tenants/:id/traces', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return listTraces(c, record.id, 'tenant');
});

adminRoutes.get('/tenants/:id/traces/:traceId', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return c.json(
    await withLinks(c, findTrace(c.req.param('traceId'), record.id), record.id),
    200,
    NO_STORE,
  );
});

adminRoutes.get('/tenants/:id/traces/:traceId/timeline.svg', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return sendSvg(c, findTrace(c.req.param('traceId'), record.id));
});

adminRoutes.get('/tenants/:id/traces/:traceId/view', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return sendPage(c, findTrace(c.req.param('traceId'), record.id));
});

const NO_STORE = { 'cache-control': 'no-store' };

/** Links lead through the routes the list came from: a tenant's to /admin/tenants/<id>/traces/…. */
async function listTraces(c: AppContext, tenant: string | undefined, via: 'admin' | 'tenant') {
  const traces = isolateTraces.list({ tenant, name: c.req.query('name') });
  const signer = await linkSigner(c);
  const linkTenant = via === 'tenant' ? tenant : undefined;
  const linked = await Promise.all(traces.map((t) => withLinks(c, t, linkTenant, signer)));
  return c.json({ traces: linked }, 200, NO_STORE);
}

/**
 * A trace with links to itself as JSON, SVG and page (absolute, on the
 * caller's origin) and, when ADMIN_TOKEN is set, a signed link to the page
 * that a browser can open without a bearer header (src/admin/signed-link.ts).
 */
async function withLinks(
  c: AppContext,
  trace: Trace,
  tenant?: string,
  signer?: PathSigner | null,
): Promise<Trace & { links: Record<string, string | null> }> {
  const path =
    tenant === undefined
      ? `/admin/traces/${trace.id}`
      : `/admin/tenants/${tenant}/traces/${trace.id}`;
  const origin = new URL(c.req.url).origin;
  const sign = signer === undefined ? await linkSigner(c) : signer;
  return {
    ...trace,
    links: {
      json: origin + path,
      svg: `${origin}${path}/timeline.svg`,
      view: `${origin}${path}/view`,
      browserView: sign ? origin + (await sign(`${path}/view`)) : null,
    },
  };
}

async function linkSigner(c: AppContext): Promise<PathSigner | null> {
  const secret = c.env.ADMIN_TOKEN;
  return secret ? pathSigner(secret, Date.now()) : null;
}

/** 404 for an unknown id, an evicted trace, or another tenant's trace alike. */
function findTrace(id: string, tenant?: string): Trace {
  const trace = isolateTraces.get(id);
  if (!trace || (tenant !== undefined && trace.tenant !== tenant)) {
    throw new HttpError(404, 'no such trace in this isolate');
  }
  return trace;
}

/** Names in traces come from clients: nothing in these documents may run or load anything. */
const LOCKED_DOWN = "default-src 'none'; style-src 'unsafe-inline'";

function sendSvg(c: AppContext, trace: Trace) {
  return c.body(traceSvg(trace), 200, {
    'content-type': 'image/svg+xml; charset=utf-8',
    'content-security-policy': LOCKED_DOWN,
    'cache-control': 'no-store',
  });
}

function sendPage(c: AppContext, trace: Trace) {
  return c.body(tracePage(trace), 200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': LOCKED_DOWN,
    'cache-control': 'no-store',
  });
}

async function inspectPool(c: AppContext, tenant: string, name: string, type: string) {
  const normalizedName = name.toLowerCase().replace(/\.$/, '');
  const view = await durablePoolGateway(c.env.DOMAIN_POOL).inspect(
    tenant,
    normalizedName,
    type.toUpperCase(),
  );
  if (!view) throw new JsonApiError(404, `no pool for ${normalizedName} ${type.toUpperCase()}`);
  return c.json(view);
}

async function saveConfig(
  c: AppContext,
  record: TenantRecord,
  input: unknown,
): Promise<TenantRecord> {
  const config = checkConfig(c, input);
  const updated: TenantRecord = { ...record, config, updatedAt: new Date().toISOString() };
  await tenantStore(c.env.TENANTS).put(updated);
  return updated;
}

/** Tenants per listing page when the caller does not say. */
const DEFAULT_TENANT_PAGE = 100;

function pageLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_TENANT_PAGE;
  const limit = Number(raw);
  if (!/^\d+$/.test(raw) || limit < 1 || limit > MAX_TENANT_PAGE) {
    throw new JsonApiError(400, `limit: must be a whole number in 1..${MAX_TENANT_PAGE}`);
  }
  return limit;
}

function checkConfig(c: AppContext, input: unknown): TenantConfig {
  const base = loadConfig(c.env);
  const checked = validateTenantConfig(input, {
    allowLoopback: base.allowLoopbackUpstreams,
    baseFanout: base.fanout,
  });
  if (!checked.ok) throw new JsonApiError(400, checked.errors.join('; '));
  return checked.config;
}

async function readJson(c: AppContext): Promise<Record<string, unknown>> {
  const length = Number(c.req.header('content-length') ?? 0);
  if (length > MAX_ADMIN_BODY_BYTES) throw new HttpError(413, 'body too large');
  const text = await c.req.text();
  if (text.length > MAX_ADMIN_BODY_BYTES) throw new HttpError(413, 'body too large');
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new JsonApiError(400, 'body must be a JSON object');
    }
    return value as Record<string, unknown>;
  } catch (error) {
    if (error instanceof JsonApiError) throw error;
    throw new JsonApiError(400, 'body is not valid JSON');
  }
}

/** Never return the token hash. */
function publicView(record: TenantRecord) {
  return {
    id: record.id,
    config: record.config,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  };
}
