/**
 * Which tenant a DoH request is for (docs/operations.md §2): `<tenant>.<RESOLVER_DOMAIN>`,
 * or `/t/<tenant>/…` on the bare domain (and on localhost in development)
 * where subdomains are awkward. Both forms end in the same lookup, so they
 * cannot disagree. Tenant ids are not secrets: a tenant's resolver answers
 * anyone, so whether an id exists can always be learnt; the lookup budget
 * bounds what finding out costs.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from '../app-env';
import { type Bindings, loadConfig } from '../env';
import { ConfigError, HttpError } from '../errors';
import {
  DEFAULT_TENANT,
  defaultResolver,
  isolateUpstreamScreen,
  tenantResolver,
} from '../resolver/isolate-resolver';
import type { Resolver } from '../resolver/resolver';
import { systemClock } from '../upstream/clock';
import { parseUpstreams } from '../upstream/parse-upstreams';
import type { Upstream } from '../upstream/types';
import { clientRateKey } from './client-rate-key';
import { deploymentLookup } from './deployment-lookup';
import { rateBudget } from './rate-budget';
import type { TenantConfig } from './tenant-config';
import { type HostTenant, isValidTenantId, tenantFromHost } from './tenant-host';
import { type TenantRecord, tenantStore } from './tenant-store';

export interface TenantContext {
  readonly id: string;
  readonly resolver: Resolver;
  readonly rateLimited: boolean;
}

/**
 * Resolves the tenant or answers 404; an unknown tenant never reaches an
 * upstream. Lookups this isolate cannot answer from its cache of known
 * tenants (a KV read, or an id already known not to exist) are charged to the
 * client in TENANT_LOOKUP_LIMITER first: probing random ids gets 429 after the
 * budget and costs no further KV reads.
 */
export function tenantContext(): MiddlewareHandler<AppEnv> {
  return async function tenantContext(c, next) {
    const endPhase = c.get('phases').start('tenant');
    c.set('tenant', await resolveTenant(c));
    endPhase();
    return next();
  };
}

async function resolveTenant(c: Context<AppEnv>): Promise<TenantContext> {
  const config = loadConfig(c.env);
  const target = tenantTarget(
    new URL(c.req.url).host,
    c.req.param('tenant'),
    config.resolverDomain,
    // ALLOW_LOOPBACK_UPSTREAMS is the deployment's development switch (docs/configuration.md §1).
    { development: config.allowLoopbackUpstreams },
  );
  if (target.kind === 'unknown') throw new HttpError(404, 'unknown tenant');
  if (target.kind === 'default') {
    return { id: DEFAULT_TENANT, resolver: defaultResolver(c.env), rateLimited: true };
  }
  const store = tenantStore(c.env.TENANTS);
  const ctx = c.executionCtx;
  // A tenant this isolate knows is answered from memory; its record is
  // refreshed in the background (tenant-store.ts), never awaited here.
  let record: TenantRecord | null | undefined = store.fromMemory(target.id, (work) =>
    ctx.waitUntil(work),
  );
  if (!record) {
    await chargeTenantLookup(c);
    record = await store.get(target.id);
  }
  if (!record) throw new HttpError(404, 'unknown tenant');
  const outOfService = await screenUpstreams(c, config.allowLoopbackUpstreams, record);
  return {
    id: record.id,
    resolver: resolverOrFailure(c.env, record, outOfService),
    rateLimited: record.config.rateLimit.enabled,
  };
}

/**
 * Host form (`<tenant>.<RESOLVER_DOMAIN>`) or path form (`/t/<tenant>/…`).
 * The path form is only taken on a host that means the default tenant (the
 * bare domain, and in development localhost): on a tenant's own host a path
 * naming another tenant is refused rather than guessing which one was meant.
 */
function tenantTarget(
  host: string,
  fromPath: string | undefined,
  resolverDomain: string,
  options: { development: boolean },
): HostTenant {
  // The URL's host is the Host header in Workers, and present even on requests built in code.
  const byHost = tenantFromHost(host, resolverDomain, options);
  if (fromPath === undefined) return byHost;
  return byHost.kind === 'default' && isValidTenantId(fromPath)
    ? { kind: 'tenant', id: fromPath }
    : { kind: 'unknown' };
}

/** 429 past the client's budget of uncached tenant lookups. */
async function chargeTenantLookup(c: Context<AppEnv>): Promise<void> {
  const client = clientRateKey(c.req.header('cf-connecting-ip'));
  const { success } = await c.env.TENANT_LOOKUP_LIMITER.limit({ key: client });
  if (!success) {
    throw new HttpError(429, 'too many tenant lookups', {
      'retry-after': String(TENANT_LOOKUP_PERIOD_S),
    });
  }
}

/** TENANT_LOOKUP_LIMITER's period in wrangler.toml. */
const TENANT_LOOKUP_PERIOD_S = 60;

/**
 * A record the deployment can no longer run (its settings changed since the
 * record was written) still gets a resolver: one whose every answer is an
 * internal error, so clients get SERVFAIL (respond.ts) and the details reach
 * only the log, never the anonymous client.
 */
function resolverOrFailure(
  env: Bindings,
  record: TenantRecord,
  outOfService: readonly string[],
): Resolver {
  try {
    return tenantResolver(env, record, outOfService);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return { resolve: () => Promise.reject(error) };
  }
}

/**
 * The names of the tenant's upstreams whose host names now resolve to an
 * address no tenant may reach, or not at all (upstream-screen.ts). The first
 * request of a tenant in an isolate waits for the check; re-checks run in
 * the background through `waitUntil`.
 */
function screenUpstreams(
  c: Context<AppEnv>,
  allowLoopback: boolean,
  record: TenantRecord,
): Promise<string[]> {
  const ctx = c.executionCtx;
  // A closure over ctx: waitUntil is a method and must keep its receiver.
  const waitUntil = (work: Promise<unknown>) => ctx.waitUntil(work);
  return isolateUpstreamScreen(allowLoopback).outOfService(configuredUpstreams(record.config), {
    lookup: deploymentLookup(c.env, waitUntil),
    waitUntil,
    tenant: record.id,
  });
}

const parsedUpstreams = new WeakMap<TenantConfig, readonly Upstream[]>();

/**
 * The config's upstreams as parsed objects, once per record object (the
 * store hands out the same one while it is cached). An entry that does not
 * parse is left out here: tenantResolver refuses the whole record anyway.
 */
function configuredUpstreams(config: TenantConfig): readonly Upstream[] {
  let upstreams = parsedUpstreams.get(config);
  if (!upstreams) {
    upstreams = config.upstreams.flatMap((entry) => {
      try {
        return parseUpstreams(entry, { allowLoopback: true });
      } catch {
        return [];
      }
    });
    parsedUpstreams.set(config, upstreams);
  }
  return upstreams;
}

/**
 * docs/operations.md §4: the per-(tenant, client) budget, so one noisy client
 * cannot spend another's or another tenant's. A client is an IPv4 address or
 * an IPv6 /64 (client-rate-key.ts). The budget is kept in the isolate and
 * bought from the Workers Rate Limiting binding in leases (rate-budget.ts),
 * so a client in good standing waits for no platform call. A client the
 * binding refused before waits for its recheck, but its lookup runs beside
 * it: the answer is only sent if the binding now allows it.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const tenant = c.get('tenant');
    if (!tenant.rateLimited) return next();
    const phases = c.get('phases');
    const client = clientRateKey(c.req.header('cf-connecting-ip'));
    const ctx = c.executionCtx;
    const verdict = phases.time('rate-limit', () =>
      rateBudget(c.env.RATE_LIMITER, systemClock).take(`${tenant.id}|${client}`, (work) =>
        ctx.waitUntil(work),
      ),
    );
    if (verdict === 'limited') throw tooManyRequests();
    if (verdict === 'allowed') return next();
    const allowed = phases.timeAsync('rate-limit', verdict);
    await next();
    if (!(await allowed)) {
      // Drop the answer, headers included: a refused client gets nothing of it.
      c.res = undefined;
      throw tooManyRequests();
    }
  };
}

/** Retry-After: the binding's period in wrangler.toml (a fixed window of at most 60 s). */
function tooManyRequests(): HttpError {
  return new HttpError(429, 'rate limit exceeded', { 'retry-after': '60' });
}
