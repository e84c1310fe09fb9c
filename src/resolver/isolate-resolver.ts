/**
 * Per-isolate wiring: the real clock and transports, and the state that lives
 * as long as the isolate (health, memory cache, version clock, in-flight
 * map). A resolver is built once per (env, tenant config) and reused, so
 * config parsing is not repeated per request.
 */
import { AnswerCache } from '../cache/answer-cache';
import { estimatedBytes, LruCache } from '../cache/lru-cache';
import { type Bindings, loadConfig } from '../env';
import { ConfigError } from '../errors';
import type { Lookup } from '../observability/lookup';
import { MetricsRegistry } from '../observability/metrics';
import { TraceStore } from '../observability/trace-store';
import { durablePoolGateway } from '../pool/pool-gateway';
import { VersionClock } from '../pool/query-version';
import { compileNamePolicy } from '../tenants/name-policy';
import { validateTenantConfig } from '../tenants/tenant-config';
import { tenantScope } from '../tenants/tenant-scope';
import type { TenantRecord } from '../tenants/tenant-store';
import { UpstreamScreen } from '../tenants/upstream-screen';
import { systemClock } from '../upstream/clock';
import { ColoHealthShare } from '../upstream/colo-health-share';
import { exchange } from '../upstream/exchange';
import { UpstreamHealth } from '../upstream/upstream-health';
import { InflightFlights } from './inflight-flights';
import { createResolver, type Resolver, type ResolverDeps } from './resolver';

/**
 * Health is per isolate (docs/architecture.md §2): every isolate learns from its own
 * traffic, and starts from its colo's snapshot (isolateHealthShare) until it has.
 */
export const isolateHealth = new UpstreamHealth(systemClock);

let healthShare: ColoHealthShare | null = null;

/** Shares isolateHealth through the colo's Cache API; created on first use like answerCache. */
export function isolateHealthShare(): ColoHealthShare {
  healthShare ??= new ColoHealthShare(isolateHealth, caches.default, systemClock);
  return healthShare;
}

/** Metrics and traces are per isolate too (docs/operations.md §5); both are bounded. */
export const isolateMetrics = new MetricsRegistry();
export const isolateTraces = new TraceStore();

function observeLookup(lookup: Lookup): void {
  isolateMetrics.recordLookup(lookup);
  isolateTraces.add(lookup);
}

let versionClock: VersionClock | null = null;

/**
 * The isolate's version clock; its random id is the last tiebreak of query
 * versions (docs/architecture.md §4). Created on first use because workerd forbids random
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

/**
 * Failures remembered at once (RFC 9520), and their estimated bytes: a key
 * is at most ~1 KB (tenant, a 253-character name percent-encoded, type),
 * and each entry only lives FAILURE_TTL seconds unless evicted earlier.
 */
export const MAX_REMEMBERED_FAILURES = 10_000;
export const MAX_REMEMBERED_FAILURE_BYTES = 4 * 1024 * 1024;
/**
 * Resolvers kept (one per tenant seen by this isolate) and their estimated
 * bytes: mostly the tenant's compiled allow/deny lists, estimated from its
 * record. An evicted tenant's resolver is rebuilt from its record on its
 * next request; its health, cache entries and pools are kept elsewhere.
 */
export const MAX_TENANT_RESOLVERS = 1_000;
export const MAX_TENANT_RESOLVER_BYTES = 8 * 1024 * 1024;
/** A resolver without lists: its closures, settings and upstreams. */
const RESOLVER_BASE_BYTES = 4 * 1024;

/** Flights of this isolate by cache key (docs/architecture.md §1.4); exported for tests that age an answer. */
export const isolateInflight = new InflightFlights();
const failures = new LruCache<string, number>(MAX_REMEMBERED_FAILURES, {
  maxBytes: MAX_REMEMBERED_FAILURE_BYTES,
  // The key twice (the map's own copy and the string), plus the entry.
  sizeOf: (key) => 2 * estimatedBytes(key) + 64,
});
const prefetched = new WeakSet<object>();

interface CachedResolver {
  /** The tenant record's `updatedAt`: a newer record builds a new resolver. */
  readonly version: string;
  readonly resolver: Resolver;
  readonly bytes: number;
}

const resolvers = new WeakMap<object, LruCache<string, CachedResolver>>();

/** This isolate's bounded maps, for the bounds' tests. */
export function isolateMaps() {
  return { inflight: isolateInflight, failures, resolvers: (env: Bindings) => resolvers.get(env) };
}

type TenantSettings = Pick<ResolverDeps, 'tenant' | 'upstreams' | 'fanout' | 'namePolicy' | 'ecs'>;

/** The resolver of tenant `id` at `version`, built by `settings` when missing or outdated. */
function cachedResolver(
  env: Bindings,
  id: string,
  version: string,
  bytes: number,
  settings: () => TenantSettings,
): Resolver {
  let byId = resolvers.get(env);
  if (!byId) {
    byId = new LruCache(MAX_TENANT_RESOLVERS, {
      maxBytes: MAX_TENANT_RESOLVER_BYTES,
      sizeOf: (_id, cached) => cached.bytes,
    });
    resolvers.set(env, byId);
  }
  const cached = byId.get(id);
  if (cached?.version === version) return cached.resolver;
  const tenant = settings();
  const resolver = createResolver({
    ...tenant,
    exchange,
    health: isolateHealth.scoped(tenant.tenant),
    healthShare: isolateHealthShare().scoped(tenant.tenant),
    clock: systemClock,
    cache: answerCache(),
    pools: durablePoolGateway(env.DOMAIN_POOL),
    versions: isolateVersions(),
    observe: observeLookup,
    inflight: isolateInflight,
    failures,
    prefetched,
  });
  byId.set(id, { version, resolver, bytes: RESOLVER_BASE_BYTES + bytes });
  return resolver;
}

/** The default tenant: configured by the wrangler vars (docs/configuration.md §1). */
export function defaultResolver(env: Bindings): Resolver {
  return cachedResolver(env, DEFAULT_TENANT, '', 0, () => {
    const config = loadConfig(env);
    return { tenant: DEFAULT_TENANT, upstreams: config.upstreams, fanout: config.fanout };
  });
}

/**
 * A named tenant, configured by its KV record. The record was validated when
 * it was written; it is validated again here because the deployment's
 * settings it builds on may have changed since.
 */
export function tenantResolver(
  env: Bindings,
  record: TenantRecord,
  outOfService: readonly string[] = [],
): Resolver {
  const scope = tenantScope(record);
  // The version carries the generation (a re-created id never reuses the old
  // resolver) and the upstreams the address check took out of service.
  const excluded = outOfService.length === 0 ? '' : `!${outOfService.join(',')}`;
  return cachedResolver(
    env,
    record.id,
    `${scope}@${record.updatedAt}${excluded}`,
    estimatedBytes(record),
    () => {
      const base = loadConfig(env);
      const checked = validateTenantConfig(record.config, {
        allowLoopback: base.allowLoopbackUpstreams,
        baseFanout: base.fanout,
      });
      if (!checked.ok) {
        throw new ConfigError(`tenant ${record.id}`, checked.errors.join('; '));
      }
      return {
        // Cache keys, pool names and in-flight keys carry the generation: nothing
        // of a deleted tenant is reachable by one created later under its id.
        tenant: scope,
        upstreams: checked.upstreams.filter((u) => !outOfService.includes(u.name)),
        fanout: { ...base.fanout, ...checked.config.fanout },
        namePolicy: compileNamePolicy(checked.config),
        ecs: checked.config.ecs,
      };
    },
  );
}

const screens = new Map<boolean, UpstreamScreen>();

/**
 * The isolate's running check of tenant upstream host names (docs/operations.md §2), one
 * per value of ALLOW_LOOPBACK_UPSTREAMS (what a name may resolve to depends on it).
 */
export function isolateUpstreamScreen(allowLoopback: boolean): UpstreamScreen {
  let screen = screens.get(allowLoopback);
  if (!screen) {
    screen = new UpstreamScreen(systemClock, { allowLoopback });
    screens.set(allowLoopback, screen);
  }
  return screen;
}
