/**
 * Reads the configuration contract (docs/configuration.md §1) out of the Worker's env once per
 * isolate. Invalid values fail loudly with a ConfigError naming the key; there
 * is no silent fallback, because a resolver quietly running with defaults the
 * operator did not choose is worse than one that refuses to start.
 */
import { ConfigError } from './errors';
import {
  FANOUT_MODES,
  type FanoutMode,
  type FanoutSettings,
  MAX_DEADLINE_MS,
  PLATFORM_CONNECTION_LIMIT,
} from './upstream/fanout-settings';
import { parseUpstreams } from './upstream/parse-upstreams';
import type { Upstream } from './upstream/types';

/**
 * The bindings and vars the worker reads (generated `Env` plus secrets).
 * FLEET_METRICS is optional: local dev and tests run without a dataset.
 */
export type Bindings = Omit<Env, 'FLEET_METRICS' | 'SWEEP_LEASE'> & {
  ADMIN_TOKEN?: string;
  FLEET_METRICS?: AnalyticsEngineDataset;
  /** Optional: absent means on (a deployment from before the key existed). */
  SWEEP_LEASE?: string;
  /** Fleet simulation only (docs/configuration.md §1); never set in production. */
  SIMULATED_COLO?: string;
  SIMULATED_POOL_LATENCY_MS?: string;
};

export interface ResolverConfig {
  readonly upstreams: readonly Upstream[];
  readonly fanout: FanoutSettings;
  readonly resolverDomain: string;
  readonly allowLoopbackUpstreams: boolean;
  /** Share of plain cache hits written to the query log, 0..1 (LOG_HIT_SAMPLE_RATE). */
  readonly hitLogSampleRate: number;
  /** Whether the pool's sweep lease decides who runs the background tier (SWEEP_LEASE). */
  readonly sweepLease: boolean;
  /** The simulated colo's cache name (SIMULATED_COLO); null: the colo's own `caches.default`. */
  readonly simulatedColo: string | null;
  /** Delay added to every pool call (SIMULATED_POOL_LATENCY_MS), to show a far object's cost. */
  readonly simulatedPoolLatencyMs: number;
}

/** The largest simulated pool latency: a round trip across the planet and back, twice. */
const MAX_SIMULATED_POOL_LATENCY_MS = 1_000;
/** A simulated colo name: short, plain, usable in a cache name. */
const COLO_NAME = /^[a-z0-9-]{1,32}$/;

/**
 * Whole fan-out deadline bounds: below 100 ms nothing answers; above
 * MAX_DEADLINE_MS (25 s) the pool write and cache put no longer fit in
 * `waitUntil`'s 30 s, and clients gave up long ago anyway.
 */
const DEADLINE_RANGE = [100, MAX_DEADLINE_MS] as const;

const configs = new WeakMap<object, ResolverConfig>();

/** Parses and caches the config for this env object (one per isolate). */
export function loadConfig(env: Bindings): ResolverConfig {
  const cached = configs.get(env);
  if (cached) return cached;
  const config = parseConfig(env);
  configs.set(env, config);
  return config;
}

/** Parses the config without caching; throws ConfigError naming the first bad key. */
export function parseConfig(env: Bindings): ResolverConfig {
  const allowLoopbackUpstreams = readBoolean(env, 'ALLOW_LOOPBACK_UPSTREAMS');
  const deadlineMs = readInteger(env, 'DEADLINE_MS', DEADLINE_RANGE[0], DEADLINE_RANGE[1]);
  const fanout: FanoutSettings = {
    mode: readMode(env),
    activeTierSize: readInteger(env, 'ACTIVE_TIER_SIZE', 1, PLATFORM_CONNECTION_LIMIT),
    fallbackMs: readInteger(env, 'FALLBACK_MS', 0, deadlineMs),
    batchSize: readInteger(env, 'BATCH_SIZE', 1, PLATFORM_CONNECTION_LIMIT),
    staggerMs: readInteger(env, 'STAGGER_MS', 0, deadlineMs),
    deadlineMs,
    maxInflight: readInteger(env, 'MAX_INFLIGHT', 1, PLATFORM_CONNECTION_LIMIT),
  };
  if (fanout.activeTierSize > fanout.maxInflight) {
    throw new ConfigError(
      'ACTIVE_TIER_SIZE',
      `must not exceed MAX_INFLIGHT (${fanout.maxInflight})`,
    );
  }
  return {
    upstreams: parseUpstreams(readString(env, 'UPSTREAMS'), {
      allowLoopback: allowLoopbackUpstreams,
    }),
    fanout,
    resolverDomain: readHostname(env, 'RESOLVER_DOMAIN'),
    allowLoopbackUpstreams,
    hitLogSampleRate: readFraction(env, 'LOG_HIT_SAMPLE_RATE', 1),
    sweepLease: isAbsent(env, 'SWEEP_LEASE') || readBoolean(env, 'SWEEP_LEASE'),
    ...readSimulation(env, allowLoopbackUpstreams),
  };
}

/**
 * The fleet simulation's knobs (docs/configuration.md §1). They only make sense
 * on a developer's machine, so, like loopback upstreams, they require
 * ALLOW_LOOPBACK_UPSTREAMS: a production deployment that sets one by mistake
 * refuses to start instead of answering from a private cache or slowly.
 */
function readSimulation(
  env: Bindings,
  development: boolean,
): Pick<ResolverConfig, 'simulatedColo' | 'simulatedPoolLatencyMs'> {
  const colo = isAbsent(env, 'SIMULATED_COLO') ? null : readString(env, 'SIMULATED_COLO');
  const latency = isAbsent(env, 'SIMULATED_POOL_LATENCY_MS')
    ? 0
    : readInteger(env, 'SIMULATED_POOL_LATENCY_MS', 0, MAX_SIMULATED_POOL_LATENCY_MS);
  for (const [key, set] of [
    ['SIMULATED_COLO', colo !== null],
    ['SIMULATED_POOL_LATENCY_MS', latency > 0],
  ] as const) {
    if (set && !development) {
      throw new ConfigError(
        key,
        'is for local fleet simulation only (needs ALLOW_LOOPBACK_UPSTREAMS=true)',
      );
    }
  }
  if (colo !== null && !COLO_NAME.test(colo)) {
    throw new ConfigError('SIMULATED_COLO', `"${colo}" is not 1-32 of a-z, 0-9 and -`);
  }
  return { simulatedColo: colo, simulatedPoolLatencyMs: latency };
}

function isAbsent(env: Bindings, key: StringKey): boolean {
  const value: unknown = env[key];
  return value === undefined || (typeof value === 'string' && value.trim() === '');
}

/** The string vars of the contract (docs/configuration.md §1). */
type StringKey =
  | 'UPSTREAMS'
  | 'ACTIVE_TIER_SIZE'
  | 'FALLBACK_MS'
  | 'BATCH_SIZE'
  | 'STAGGER_MS'
  | 'DEADLINE_MS'
  | 'MAX_INFLIGHT'
  | 'FANOUT_MODE'
  | 'RESOLVER_DOMAIN'
  | 'ALLOW_LOOPBACK_UPSTREAMS'
  | 'LOG_HIT_SAMPLE_RATE'
  | 'SWEEP_LEASE'
  | 'SIMULATED_COLO'
  | 'SIMULATED_POOL_LATENCY_MS';

function readString(env: Bindings, key: StringKey): string {
  const value = env[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigError(key, 'is missing or empty');
  }
  return value.trim();
}

function readInteger(env: Bindings, key: StringKey, min: number, max: number): number {
  const raw = readString(env, key);
  if (!/^\d+$/.test(raw)) throw new ConfigError(key, `"${raw}" is not a whole number`);
  const value = Number(raw);
  if (value < min || value > max) {
    throw new ConfigError(key, `${value} is outside ${min}..${max}`);
  }
  return value;
}

/**
 * An optional fraction 0..1; absent or empty means `fallback`, so a
 * deployment from before the key existed keeps its behaviour.
 */
function readFraction(env: Bindings, key: StringKey, fallback: number): number {
  const value: unknown = env[key];
  if (value === undefined || (typeof value === 'string' && value.trim() === '')) return fallback;
  const raw = String(value).trim();
  const parsed = /^(0|1|0?\.\d+|1\.0*)$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(parsed)) throw new ConfigError(key, `"${raw}" is not a number from 0 to 1`);
  return parsed;
}

function readBoolean(env: Bindings, key: StringKey): boolean {
  const raw = readString(env, key).toLowerCase();
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(key, `"${raw}" is not true or false`);
}

function readMode(env: Bindings): FanoutMode {
  const raw = readString(env, 'FANOUT_MODE');
  const mode = FANOUT_MODES.find((m) => m === raw);
  if (!mode)
    throw new ConfigError('FANOUT_MODE', `"${raw}" is not one of ${FANOUT_MODES.join(', ')}`);
  return mode;
}

/** A DNS hostname: letters, digits, hyphens, dots; labels 1..63. */
const HOSTNAME =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;

function readHostname(env: Bindings, key: StringKey): string {
  const raw = readString(env, key).toLowerCase().replace(/\.$/, '');
  if (!HOSTNAME.test(raw)) throw new ConfigError(key, `"${raw}" is not a hostname`);
  return raw;
}
