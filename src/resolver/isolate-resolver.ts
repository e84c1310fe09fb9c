/**
 * Per-isolate wiring: the real clock and transports, and the state that lives
 * as long as the isolate (health, memory cache, version clock, in-flight
 * map). Built once per env object so config parsing is not repeated per
 * request.
 */
import { AnswerCache } from '../cache/answer-cache';
import { type Bindings, loadConfig } from '../env';
import { writeQueryLog } from '../observability/query-log';
import { durablePoolGateway } from '../pool/pool-gateway';
import { VersionClock } from '../pool/query-version';
import { systemClock } from '../upstream/clock';
import { exchange } from '../upstream/exchange';
import { UpstreamHealth } from '../upstream/upstream-health';
import type { FlightAnswer } from './flight';
import { createResolver, type Resolver } from './resolver';

/** Health is per isolate (SPEC §2): every isolate learns from its own traffic. */
export const isolateHealth = new UpstreamHealth(systemClock);

/** The isolate id is the last tiebreak of query versions (SPEC §4). */
export const isolateVersions = new VersionClock(crypto.randomUUID(), () => Date.now());

let isolateCache: AnswerCache | null = null;

/** The isolate's answer cache, backed by the colo's Cache API. */
export function answerCache(): AnswerCache {
  isolateCache ??= new AnswerCache(caches.default);
  return isolateCache;
}

const inflight = new Map<string, Promise<FlightAnswer>>();
const failures = new Map<string, number>();
const prefetched = new WeakSet<object>();

const resolvers = new WeakMap<object, Resolver>();

/** The default tenant's name in keys and pool object names. */
export const DEFAULT_TENANT = '_default';

export function resolverFor(env: Bindings): Resolver {
  let resolver = resolvers.get(env);
  if (!resolver) {
    const config = loadConfig(env);
    resolver = createResolver({
      tenant: DEFAULT_TENANT,
      upstreams: config.upstreams,
      fanout: config.fanout,
      exchange,
      health: isolateHealth,
      clock: systemClock,
      cache: answerCache(),
      pools: durablePoolGateway(env.DOMAIN_POOL),
      versions: isolateVersions,
      log: writeQueryLog,
      inflight,
      failures,
      prefetched,
    });
    resolvers.set(env, resolver);
  }
  return resolver;
}
