/**
 * Per-isolate wiring: the real clock and transports, and the one object that
 * holds what lives as long as the isolate (health, memory cache, version
 * clock, in-flight map). A resolver is built once per (env, tenant config)
 * and reused, so config parsing is not repeated per request.
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
import { withSimulatedLatency } from '../pool/simulated-latency';
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

/** The default tenant's name in cache keys and pool object names; not a valid tenant id. */
export const DEFAULT_TENANT = '_default';

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

interface CachedResolver {
  /** The tenant record's `updatedAt`: a newer record builds a new resolver. */
  readonly version: string;
  readonly resolver: Resolver;
  readonly bytes: number;
}

type TenantSettings = Pick<ResolverDeps, 'tenant' | 'upstreams' | 'fanout' | 'namePolicy' | 'ecs'>;

/**
 * The colo cache of an isolate: the colo's `caches.default`, or, when
 * SIMULATED_COLO names a colo (fleet simulation, docs/configuration.md §1), a
 * cache of that name, so several workers in one local session behave like
 * isolates in different colos.
 */
function coloCache(env: Bindings): Cache | Promise<Cache> {
  const colo = loadConfig(env).simulatedColo;
  return colo === null ? caches.default : caches.open(`colo:${colo}`);
}

/**
 * Everything one isolate keeps between requests (docs/architecture.md §1): health,
 * answer cache, version clock, flights, remembered failures, resolvers per
 * tenant, metrics and traces. A cache of the truth, never the truth: a young
 * isolate starts empty and nothing breaks. Production has one per isolate
 * (`thisIsolate`); tests and the fleet simulation create several side by side.
 */
export class IsolateState {
  /** Health is per isolate (docs/architecture.md §2): every isolate learns from its own traffic. */
  readonly health = new UpstreamHealth(systemClock);
  /** Metrics and traces are per isolate too (docs/operations.md §5); both are bounded. */
  readonly metrics = new MetricsRegistry();
  readonly traces = new TraceStore();
  /** Flights of this isolate by cache key (docs/architecture.md §1.4). */
  readonly inflight = new InflightFlights();
  readonly failures = new LruCache<string, number>(MAX_REMEMBERED_FAILURES, {
    maxBytes: MAX_REMEMBERED_FAILURE_BYTES,
    // The key twice (the map's own copy and the string), plus the entry.
    sizeOf: (key) => 2 * estimatedBytes(key) + 64,
  });
  readonly prefetched = new WeakSet<object>();
  #coloCache: Cache | Promise<Cache> | null = null;
  #cache: AnswerCache | null = null;
  #healthShare: ColoHealthShare | null = null;
  #versions: VersionClock | null = null;
  readonly #resolvers = new WeakMap<object, LruCache<string, CachedResolver>>();
  readonly #screens = new Map<boolean, UpstreamScreen>();

  /**
   * `colo`: the colo cache this isolate uses; by default chosen from the env
   * of its first request (coloCache). Created on first use: the Cache API is
   * not reachable at module scope.
   */
  constructor(
    private readonly colo: (env: Bindings) => Cache | Promise<Cache> | null = coloCache,
  ) {}

  /** The answer cache: isolate memory backed by the colo cache. Keys carry the tenant. */
  answerCache(env: Bindings): AnswerCache {
    this.#cache ??= new AnswerCache(this.#colo(env));
    return this.#cache;
  }

  /**
   * Shares `health` through the colo cache (docs/architecture.md §2): a young
   * isolate starts from its colo's snapshot, not from config order.
   */
  healthShare(env: Bindings): ColoHealthShare | null {
    const colo = this.#colo(env);
    if (colo === null) return null;
    this.#healthShare ??= new ColoHealthShare(this.health, colo, systemClock);
    return this.#healthShare;
  }

  #colo(env: Bindings): Cache | Promise<Cache> | null {
    this.#coloCache ??= this.colo(env);
    return this.#coloCache;
  }

  /**
   * The version clock; its random id is the last tiebreak of query versions
   * (docs/architecture.md §4). Created on first use because workerd forbids
   * random values in global scope: the worker would not start.
   */
  versions(): VersionClock {
    this.#versions ??= new VersionClock(crypto.randomUUID(), () => Date.now());
    return this.#versions;
  }

  /** The bounded maps, for the bounds' tests. */
  maps() {
    return {
      inflight: this.inflight,
      failures: this.failures,
      resolvers: (env: Bindings) => this.#resolvers.get(env),
    };
  }

  /** The default tenant: configured by the wrangler vars (docs/configuration.md §1). */
  defaultResolver(env: Bindings): Resolver {
    return this.#cachedResolver(env, DEFAULT_TENANT, '', 0, () => {
      const config = loadConfig(env);
      return { tenant: DEFAULT_TENANT, upstreams: config.upstreams, fanout: config.fanout };
    });
  }

  /**
   * A named tenant, configured by its KV record. The record was validated when
   * it was written; it is validated again here because the deployment's
   * settings it builds on may have changed since.
   */
  tenantResolver(
    env: Bindings,
    record: TenantRecord,
    outOfService: readonly string[] = [],
  ): Resolver {
    const scope = tenantScope(record);
    // The version carries the generation (a re-created id never reuses the old
    // resolver) and the upstreams the address check took out of service.
    const excluded = outOfService.length === 0 ? '' : `!${outOfService.join(',')}`;
    return this.#cachedResolver(
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

  /**
   * The running check of tenant upstream host names (docs/operations.md §2), one
   * per value of ALLOW_LOOPBACK_UPSTREAMS (what a name may resolve to depends on it).
   */
  upstreamScreen(allowLoopback: boolean): UpstreamScreen {
    let screen = this.#screens.get(allowLoopback);
    if (!screen) {
      screen = new UpstreamScreen(systemClock, { allowLoopback });
      this.#screens.set(allowLoopback, screen);
    }
    return screen;
  }

  /** The resolver of tenant `id` at `version`, built by `settings` when missing or outdated. */
  #cachedResolver(
    env: Bindings,
    id: string,
    version: string,
    bytes: number,
    settings: () => TenantSettings,
  ): Resolver {
    let byId = this.#resolvers.get(env);
    if (!byId) {
      byId = new LruCache(MAX_TENANT_RESOLVERS, {
        maxBytes: MAX_TENANT_RESOLVER_BYTES,
        sizeOf: (_id, cached) => cached.bytes,
      });
      this.#resolvers.set(env, byId);
    }
    const cached = byId.get(id);
    if (cached?.version === version) return cached.resolver;
    const tenant = settings();
    const config = loadConfig(env);
    const healthShare = this.healthShare(env);
    const resolver = createResolver({
      ...tenant,
      exchange,
      health: this.health.scoped(tenant.tenant),
      ...(healthShare ? { healthShare: healthShare.scoped(tenant.tenant) } : {}),
      clock: systemClock,
      cache: this.answerCache(env),
      pools: withSimulatedLatency(
        durablePoolGateway(env.DOMAIN_POOL),
        config.simulatedPoolLatencyMs,
      ),
      sweepLease: config.sweepLease,
      versions: this.versions(),
      observe: (lookup: Lookup) => {
        this.metrics.recordLookup(lookup);
        this.traces.add(lookup);
      },
      inflight: this.inflight,
      failures: this.failures,
      prefetched: this.prefetched,
    });
    byId.set(id, { version, resolver, bytes: RESOLVER_BASE_BYTES + bytes });
    return resolver;
  }
}

/** This isolate's state; module scope holds nothing else (docs/architecture.md §1). */
export const thisIsolate = new IsolateState();
/** Shorthands of the routes and tests for parts of `thisIsolate`. */
export const isolateHealth = thisIsolate.health;
export const isolateMetrics = thisIsolate.metrics;
export const isolateTraces = thisIsolate.traces;
export const isolateInflight = thisIsolate.inflight;

/**
 * Simulated colos one process holds at most (SIMULATED_COLO): the fleet
 * benchmark's largest fleet is 16.
 */
export const MAX_SIMULATED_COLOS = 64;
const simulatedColos = new Map<string, IsolateState>();

/**
 * The isolate state requests of `env` use: this isolate's, or, in a fleet
 * simulation (SIMULATED_COLO, development only), the state of an isolate in
 * that colo, so tests can run several colos side by side in one process.
 */
export function isolateFor(env: Bindings): IsolateState {
  const colo = loadConfig(env).simulatedColo;
  if (colo === null) return thisIsolate;
  let state = simulatedColos.get(colo);
  if (!state) {
    if (simulatedColos.size >= MAX_SIMULATED_COLOS) {
      throw new ConfigError(
        'SIMULATED_COLO',
        `more than ${MAX_SIMULATED_COLOS} colos in one process`,
      );
    }
    state = new IsolateState();
    simulatedColos.set(colo, state);
  }
  return state;
}

/** The default tenant's resolver in this isolate. */
export function defaultResolver(env: Bindings): Resolver {
  return isolateFor(env).defaultResolver(env);
}

/** Tenant `record`'s resolver in this isolate. */
export function tenantResolver(
  env: Bindings,
  record: TenantRecord,
  outOfService: readonly string[] = [],
): Resolver {
  return isolateFor(env).tenantResolver(env, record, outOfService);
}

/** This isolate's check of tenant upstream host names. */
export function isolateUpstreamScreen(allowLoopback: boolean): UpstreamScreen {
  return thisIsolate.upstreamScreen(allowLoopback);
}
