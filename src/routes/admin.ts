/**
 * Admin API (docs/architecture.md §4, §8, §10), mounted at `/admin`: tenant CRUD (PUT
 * replaces, PATCH merges), listing and token rotation, pool inspection, upstream health, metrics and fan-out traces. Every route needs a bearer
 * token; see admin-auth.ts for who may do what. Nothing here may be cached
 * anywhere (tokens, configs, traces), and no body is read past MAX_ADMIN_BODY_BYTES.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  adminBearer,
  adminFailureLimit,
  isAdminCaller,
  requireAdmin,
  requireTenant,
  strongAdminToken,
} from '../admin/admin-auth';
import { applyMergePatch } from '../admin/merge-patch';
import { type PathSigner, pathSigner } from '../admin/signed-link';
import type { AppEnv } from '../app-env';
import { parseJsonQuery } from '../dns/json-api';
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
import { deploymentLookup } from '../tenants/deployment-lookup';
import { type TenantConfig, validateTenantConfig } from '../tenants/tenant-config';
import { isValidTenantId } from '../tenants/tenant-host';
import { newGeneration, tenantScope } from '../tenants/tenant-scope';
import { MAX_TENANT_PAGE, type TenantRecord, tenantStore } from '../tenants/tenant-store';
import { generateToken, hashToken } from '../tenants/tenant-token';
import { checkUpstreamHosts } from '../tenants/upstream-host-check';

type AppContext = Context<AppEnv>;

/** Admin bodies are small JSON configs; anything bigger is a mistake or an attack. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;

export const adminRoutes = new Hono<AppEnv>();

adminRoutes.use(
  '*',
  noStore(),
  strongAdminToken(),
  adminFailureLimit(),
  adminBearer(),
  // Counts the bytes as they stream in, so a body without Content-Length
  // (chunked) is cut off at the limit instead of being buffered whole.
  bodyLimit({
    maxSize: MAX_ADMIN_BODY_BYTES,
    onError: () => {
      throw new HttpError(413, `body larger than ${MAX_ADMIN_BODY_BYTES} bytes`);
    },
  }),
);

/** Admin responses carry tokens, configs and traces: no cache on the way may keep one. */
function noStore(): MiddlewareHandler<AppEnv> {
  return async function noStore(c, next) {
    await next();
    c.res.headers.set('cache-control', 'no-store');
  };
}

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
  const config = await checkConfig(c, 'config' in body ? body.config : undefined);
  const store = tenantStore(c.env.TENANTS);
  if (await store.get(id)) throw new JsonApiError(409, `tenant ${id} already exists`);
  const token = generateToken();
  const now = new Date().toISOString();
  await store.put({
    id,
    config,
    tokenHash: await hashToken(token),
    // A new generation with every creation: nothing cached or pooled for an
    // earlier tenant of this id is reachable by this one (tenant-scope.ts).
    generation: newGeneration(),
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
    return c.json(await tenantStore(c.env.TENANTS).list(limit, cursor));
  } catch (error) {
    // KV refuses a cursor it did not issue; anything else is ours to report.
    if (cursor === undefined) throw error;
    throw new JsonApiError(400, 'cursor: not one this listing returned');
  }
});

/**
 * The stored config, and `problems` when the deployment can no longer run it
 * (its bounds changed since the record was written): the resolver then
 * answers SERVFAIL, and this is where the operator and the tenant read why.
 */
adminRoutes.get('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  const problems = configProblems(c, record.config);
  return c.json({ ...publicView(record), ...(problems.length > 0 ? { problems } : {}) });
});

/**
 * PUT replaces the whole config: fields left out take their defaults, except
 * `rateLimit`, which only the admin sets (keepAdminOnlyFields).
 */
adminRoutes.put('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  const body = await readJson(c);
  return c.json(publicView(await saveConfig(c, record, body, 'rateLimit' in body)));
});

/**
 * PATCH merges a JSON Merge Patch (RFC 7396) into the stored config, then
 * validates the result like a PUT: `{"deny": ["ads.example"]}` touches the
 * deny list only, `{"fanout": {"activeTierSize": null}}` removes one override.
 */
adminRoutes.patch('/tenants/:id', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  const patch = await readJson(c);
  const merged = applyMergePatch(record.config, patch);
  return c.json(publicView(await saveConfig(c, record, merged, 'rateLimit' in patch)));
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
  return inspectPool(c, tenantScope(record), c.req.param('name'), c.req.param('type'));
});

/** The default tenant's pools (docs/architecture.md §4): admin only. */
adminRoutes.get('/pools/:name/:type', async (c) => {
  requireAdmin(c);
  return inspectPool(c, DEFAULT_TENANT, c.req.param('name'), c.req.param('type'));
});

/** This isolate's view of upstream health (docs/architecture.md §2): admin only. */
adminRoutes.get('/health', (c) => {
  requireAdmin(c);
  return c.json({ upstreams: isolateHealth.snapshot() });
});

/** This isolate's counters in the Prometheus text format (docs/operations.md §5): admin only. */
adminRoutes.get('/metrics', (c) => {
  requireAdmin(c);
  return c.body(isolateMetrics.render(), 200, {
    'content-type': 'text/plain; version=0.0.4; charset=utf-8',
  });
});

/** This isolate's recent fan-outs, newest first; `?name=` and `?tenant=` filter. Admin only. */
adminRoutes.get('/traces', (c) => {
  requireAdmin(c);
  return listTraces(c, { tenant: c.req.query('tenant') }, 'admin');
});

adminRoutes.get('/traces/:id', async (c) => {
  requireAdmin(c);
  return c.json(await withLinks(c, findTrace(c.req.param('id'))));
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
  return listTraces(c, ownTraces(record), 'tenant');
});

adminRoutes.get('/tenants/:id/traces/:traceId', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return c.json(
    await withLinks(c, findTrace(c.req.param('traceId'), ownTraces(record)), record.id),
  );
});

adminRoutes.get('/tenants/:id/traces/:traceId/timeline.svg', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return sendSvg(c, findTrace(c.req.param('traceId'), ownTraces(record)));
});

adminRoutes.get('/tenants/:id/traces/:traceId/view', async (c) => {
  const record = await requireTenant(c, c.req.param('id'));
  return sendPage(c, findTrace(c.req.param('traceId'), ownTraces(record)));
});

interface TraceOwner {
  readonly tenant: string;
  /** This generation only: a re-created tenant never sees its predecessor's lookups. */
  readonly generation: string | null;
}

function ownTraces(record: TenantRecord): TraceOwner {
  return { tenant: record.id, generation: record.generation ?? null };
}

/** Links lead through the routes the list came from: a tenant's to /admin/tenants/<id>/traces/…. */
async function listTraces(c: AppContext, owner: Partial<TraceOwner>, via: 'admin' | 'tenant') {
  const traces = isolateTraces.list({ ...owner, name: c.req.query('name') });
  const signer = await linkSigner(c);
  const linkTenant = via === 'tenant' ? owner.tenant : undefined;
  const linked = await Promise.all(traces.map((t) => withLinks(c, t, linkTenant, signer)));
  return c.json({ traces: linked });
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

/** 404 for an unknown id, an evicted trace, or another tenant's (or generation's) trace alike. */
function findTrace(id: string, owner?: TraceOwner): Trace {
  const trace = isolateTraces.get(id);
  const foreign =
    owner !== undefined &&
    (trace?.tenant !== owner.tenant || trace.generation !== owner.generation);
  if (!trace || foreign) throw new HttpError(404, 'no such trace in this isolate');
  return trace;
}

/** Names in traces come from clients: nothing in these documents may run or load anything. */
const LOCKED_DOWN = "default-src 'none'; style-src 'unsafe-inline'";

function sendSvg(c: AppContext, trace: Trace) {
  return c.body(traceSvg(trace), 200, {
    'content-type': 'image/svg+xml; charset=utf-8',
    'content-security-policy': LOCKED_DOWN,
  });
}

function sendPage(c: AppContext, trace: Trace) {
  return c.body(tracePage(trace), 200, {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': LOCKED_DOWN,
  });
}

/**
 * `scope` is the tenant scope (tenant-scope.ts). The name and type are
 * checked and normalized exactly as a query's are (the JSON API's rules), so
 * a malformed one is a 400 before any Durable Object is addressed.
 */
async function inspectPool(c: AppContext, scope: string, name: string, type: string) {
  const parsed = parseJsonQuery(new URLSearchParams({ name, type }));
  if (!parsed.ok) throw new JsonApiError(400, parsed.error);
  const { query } = parsed;
  const view = await durablePoolGateway(c.env.DOMAIN_POOL).inspect(scope, query.name, query.type);
  if (!view) throw new JsonApiError(404, `no pool for ${query.name} ${query.type}`);
  return c.json(view);
}

/** `sentRateLimit`: the request itself named `rateLimit` (see keepAdminOnlyFields). */
async function saveConfig(
  c: AppContext,
  record: TenantRecord,
  input: unknown,
  sentRateLimit: boolean,
): Promise<TenantRecord> {
  const config = keepAdminOnlyFields(c, record, sentRateLimit, await checkConfig(c, input));
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

/**
 * `rateLimit` is the admin's to set (docs/architecture.md §7): with it off, a tenant's
 * resolver is an unlimited amplifier onto up to ten upstreams. A tenant
 * token keeps the stored value and may only send it back unchanged.
 */
function keepAdminOnlyFields(
  c: AppContext,
  record: TenantRecord,
  sentRateLimit: boolean,
  config: TenantConfig,
): TenantConfig {
  if (isAdminCaller(c)) return config;
  const stored = record.config.rateLimit;
  if (sentRateLimit && config.rateLimit.enabled !== stored.enabled) {
    throw new JsonApiError(403, 'rateLimit: only the admin may change it');
  }
  return { ...config, rateLimit: stored };
}

/**
 * Validates a config as written, then resolves its upstream host names
 * through the deployment's own upstreams: a name that resolves to an address
 * no tenant may reach (or does not resolve) refuses the config, naming the
 * field (`upstreams[1]: host "x" resolves to 10.0.0.5: …`).
 */
async function checkConfig(c: AppContext, input: unknown): Promise<TenantConfig> {
  const checked = validateAgainstDeployment(c, input);
  if (!checked.ok) throw new JsonApiError(400, checked.errors.join('; '));
  const ctx = c.executionCtx;
  const lookup = deploymentLookup(c.env, (work) => ctx.waitUntil(work));
  const problems = await checkUpstreamHosts(checked.upstreams, lookup, {
    allowLoopback: loadConfig(c.env).allowLoopbackUpstreams,
  });
  if (problems.length > 0) throw new JsonApiError(400, problems.join('; '));
  return checked.config;
}

function configProblems(c: AppContext, config: TenantConfig): string[] {
  const checked = validateAgainstDeployment(c, config);
  return checked.ok ? [] : checked.errors;
}

function validateAgainstDeployment(c: AppContext, input: unknown) {
  const base = loadConfig(c.env);
  return validateTenantConfig(input, {
    allowLoopback: base.allowLoopbackUpstreams,
    baseFanout: base.fanout,
  });
}

/** The body as a JSON object; bodyLimit above bounds what is read. */
async function readJson(c: AppContext): Promise<Record<string, unknown>> {
  const text = await c.req.text();
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
