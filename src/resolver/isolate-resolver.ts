/**
 * Per-isolate wiring: the real clock and transports, and the state that lives
 * as long as the isolate (health, memory cache, version clock, in-flight
 * map). A resolver is built once per (env, tenant config) and reused, so
 * config parsing is not repeated per request.
 */
import { AnswerCache } from '../cache/answer-cache';
import { type Bindings, loadConfig } from '../env';
import { ConfigError } from '../errors';
import type { Lookup } from '../observability/lookup';
import { MetricsRegistry } from '../observability/metrics';
import { writeQueryLog } from '../observability/query-log';
import { TraceStore } from '../observability/trace-store';
import { durablePoolGateway } from '../pool/pool-gateway';
import { VersionClock } from '../pool/query-version';
import { compileNamePolicy } from '../tenants/name-policy';
import { validateTenantConfig } from '../tenants/tenant-config';
import type { TenantRecord } from '../tenants/tenant-store';
import { systemClock } from '../upstream/clock';
import { exchange } from '../upstream/exchange';
import { UpstreamHealth } from '../upstream/upstream-health';
import { InflightFlights } from './inflight-flights';
import { createResolver, type Resolver, type ResolverDeps } from './resolver';

/** Health is per isolate (SPEC §2): every isolate learns from its own traffic. */
export const isolateHealth = new UpstreamHealth(systemClock);

/** Metrics and traces are per isolate too (SPEC §10); both are bounded. */
export const isolateMetrics = new MetricsRegistry();
export const isolateTraces = new TraceStore();

function observeLookup(lookup: Lookup): void {
  isolateMetrics.recordLookup(lookup);
  isolateTraces.add(lookup);
}

let versionClock: VersionClock | null = null;

/**
 * The isolate's version clock; its random id is the last tiebreak of query
 * versions (SPEC §4). Created on first use because workerd forbids random
 * values in global scope: the worker would not start.
 */
export function isolateVersions(): VersionClock {
  versionClock ??= new VersionClock(crypto.randomUUID(), () => Date.now());
  return versionClock;
}

/** The default tenant's name in cache keys and pool object names; not a valid tenant id. */
export const DEFAULT_TENANT = '_default';

let isolateCache: AnswerCache | null = null;

/** The isolate's answer cache, backed by the colo's Cache API. Keys carry the tenant. */
export function answerCache(): AnswerCache {
  isolateCache ??= new AnswerCache(caches.default);
  return isolateCache;
}

/** Flights of this isolate by cache key (SPEC §1.4); exported for tests that age an answer. */
export const isolateInflight = new InflightFlights();
const failures = new Map<string, number>();
const prefetched = new WeakSet<object>();

const resolvers = new WeakMap<object, Map<string, Resolver>>();

type TenantSettings = Pick<ResolverDeps, 'tenant' | 'upstreams' | 'fanout' | 'namePolicy' | 'ecs'>;

function cachedResolver(env: Bindings, key: string, settings: () => TenantSettings): Resolver {
  let byKey = resolvers.get(env);
  if (!byKey) {
    byKey = new Map();
    resolvers.set(env, byKey);
  }
  let resolver = byKey.get(key);
  if (!resolver) {
    const tenant = settings();
    resolver = createResolver({
      ...tenant,
      exchange,
      health: isolateHealth.scoped(tenant.tenant),
      clock: systemClock,
      cache: answerCache(),
      pools: durablePoolGateway(env.DOMAIN_POOL),
      versions: isolateVersions(),
      log: writeQueryLog,
      observe: observeLookup,
      inflight: isolateInflight,
      failures,
      prefetched,
    });
    byKey.set(key, resolver);
  }
  return resolver;
}

/** The default tenant: configured by the wrangler vars (SPEC §9). */
export function defaultResolver(env: Bindings): Resolver {
  return cachedResolver(env, DEFAULT_TENANT, () => {
    const config = loadConfig(env);
    return { tenant: DEFAULT_TENANT, upstreams: config.upstreams, fanout: config.fanout };
  });
}

/**
 * A named tenant, configured by its KV record. The record was validated when
 * it was written; it is validated again here because the deployment's
 * settings it builds on may have changed since.
 */
export function tenantResolver(env: Bindings, record: TenantRecord): Resolver {
  return cachedResolver(env, `${record.id}@${record.updatedAt}`, () => {
    const base = loadConfig(env);
    const checked = validateTenantConfig(record.config, {
      allowLoopback: base.allowLoopbackUpstreams,
      baseFanout: base.fanout,
    });
    if (!checked.ok) {
      throw new ConfigError(`tenant ${record.id}`, checked.errors.join('; '));
    }
    return {
      tenant: record.id,
      upstreams: checked.upstreams,
      fanout: { ...base.fanout, ...checked.config.fanout },
      namePolicy: compileNamePolicy(checked.config),
      ecs: checked.config.ecs,
    };
  });
}
