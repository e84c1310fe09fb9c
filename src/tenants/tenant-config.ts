/**
 * A tenant's configuration (docs/operations.md §2) and its validation. The admin API hands
 * over untrusted JSON; this module turns it into a TenantConfig or into a list
 * of errors, each naming the field path (`upstreams[2]: …`), so a client can
 * fix every mistake in one round trip.
 */
import { normalizeName } from '../dns/domain-name';
import { ConfigError } from '../errors';
import {
  FANOUT_MODES,
  type FanoutSettings,
  fanoutSettingsProblems,
  MAX_DEADLINE_MS,
  PLATFORM_CONNECTION_LIMIT,
} from '../upstream/fanout-settings';
import { parseUpstreams } from '../upstream/parse-upstreams';
import type { Upstream } from '../upstream/types';
import { checkTenantUpstream } from './upstream-policy';

/** docs/architecture.md §6: strip EDNS Client Subnet by default; a tenant may opt into /24 IPv4, /56 IPv6. */
export type EcsPolicy = 'strip' | 'truncate';

export const ECS_POLICIES: readonly EcsPolicy[] = ['strip', 'truncate'];

export interface TenantConfig {
  /** `name=url` entries, as UPSTREAMS takes them (one upstream per element). */
  upstreams: string[];
  /** Overrides of the deployment's fan-out settings. */
  fanout: Partial<FanoutSettings>;
  ecs: EcsPolicy;
  /** The Workers Rate Limiting binding per (tenant, client IP). */
  rateLimit: { enabled: boolean };
  /** Name suffixes always passed through (win over deny); normalized: lower case, punycode, no trailing dot. */
  allow: string[];
  /** Name suffixes answered NXDOMAIN without an upstream query; normalized like `allow`. */
  deny: string[];
}

/**
 * One miss asks every upstream at most once, all inside one invocation: 10
 * upstreams plus the Cache API and Durable Object calls stay far below the 50
 * subrequests of the free plan, and with at most 6 connections open at once
 * the background tier still drains within the deadline.
 */
export const MAX_TENANT_UPSTREAMS = 10;

/**
 * The config is one KV value read into every isolate that serves the tenant
 * and compiled into Sets: 1000 names of at most 253 octets is under 256 KiB
 * per list, cheap to parse on a cache miss and to hold in isolate memory next
 * to other tenants. Bigger blocklists want a dedicated feature, not this one.
 */
export const MAX_NAME_LIST_ENTRIES = 1000;

/**
 * Bounds for a tenant's fan-out overrides, the same as the deployment's own
 * (src/env.ts): counts above 6 only queue behind the platform's 6 simultaneous
 * connections per invocation, and a deadline above MAX_DEADLINE_MS (25 s)
 * leaves no time in `waitUntil` for the pool write.
 */
const TENANT_FANOUT_BOUNDS = {
  activeTierSize: [1, PLATFORM_CONNECTION_LIMIT],
  batchSize: [1, PLATFORM_CONNECTION_LIMIT],
  maxInflight: [1, PLATFORM_CONNECTION_LIMIT],
  fallbackMs: [0, MAX_DEADLINE_MS],
  staggerMs: [0, MAX_DEADLINE_MS],
  deadlineMs: [100, MAX_DEADLINE_MS],
} as const satisfies Record<Exclude<keyof FanoutSettings, 'mode'>, readonly [number, number]>;

/** An unknown-field flood must not become a megabyte of errors; the first ones are enough to act on. */
const MAX_REPORTED_ERRORS = 50;

const FIELDS = ['upstreams', 'fanout', 'ecs', 'rateLimit', 'allow', 'deny'] as const;
const FANOUT_FIELDS = ['mode', ...Object.keys(TENANT_FANOUT_BOUNDS)] as (keyof FanoutSettings)[];

export type TenantConfigCheck =
  | { ok: true; config: TenantConfig; upstreams: Upstream[] }
  | { ok: false; errors: string[] };

export interface ValidateTenantConfigOptions {
  /** ALLOW_LOOPBACK_UPSTREAMS (development only). */
  readonly allowLoopback: boolean;
  /** The deployment's fan-out settings the tenant's overrides are merged into. */
  readonly baseFanout: FanoutSettings;
}

/**
 * Validates untrusted JSON as a tenant config. Unknown fields are errors (a
 * typo must not silently mean "default"); missing optional fields get
 * defaults: fanout {}, ecs 'strip' (docs/architecture.md §6), rateLimit {enabled: true},
 * allow [], deny []. `upstreams` is required, 1..MAX_TENANT_UPSTREAMS entries,
 * each parsed like UPSTREAMS and then held to the tenant policy (docs/operations.md §2).
 * The fan-out overrides merged into `baseFanout` must pass
 * fanoutSettingsProblems.
 */
export function validateTenantConfig(
  input: unknown,
  options: ValidateTenantConfigOptions,
): TenantConfigCheck {
  const errors: string[] = [];
  if (!isPlainObject(input)) {
    return { ok: false, errors: [`config: expected a JSON object, got ${describe(input)}`] };
  }
  rejectUnknownFields(input, FIELDS, '', errors);

  const upstreams = readUpstreams(input.upstreams, options.allowLoopback, errors);
  const fanout = readFanout(input.fanout, options.baseFanout, errors);
  const ecs = readEcs(input.ecs, errors);
  const rateLimit = readRateLimit(input.rateLimit, errors);
  const allow = readNameList(input.allow, 'allow', errors);
  const deny = readNameList(input.deny, 'deny', errors);

  if (errors.length > 0) return { ok: false, errors: capErrors(errors) };
  return {
    ok: true,
    config: { upstreams: upstreams.entries, fanout, ecs, rateLimit, allow, deny },
    upstreams: upstreams.parsed,
  };
}

function readUpstreams(
  value: unknown,
  allowLoopback: boolean,
  errors: string[],
): { entries: string[]; parsed: Upstream[] } {
  const result = { entries: [] as string[], parsed: [] as Upstream[] };
  if (value === undefined) {
    errors.push('upstreams: required (a list of "name=url" entries)');
    return result;
  }
  if (!Array.isArray(value)) {
    errors.push(`upstreams: expected an array of strings, got ${describe(value)}`);
    return result;
  }
  if (value.length < 1 || value.length > MAX_TENANT_UPSTREAMS) {
    errors.push(`upstreams: ${value.length} entries, expected 1..${MAX_TENANT_UPSTREAMS}`);
    return result;
  }
  const pathByName = new Map<string, string>();
  for (const [index, item] of value.entries()) {
    const path = `upstreams[${index}]`;
    const checked = readUpstream(item, allowLoopback);
    if (typeof checked === 'string') {
      errors.push(`${path}: ${checked}`);
      continue;
    }
    const key = checked.upstream.name.toLowerCase();
    const previous = pathByName.get(key);
    if (previous !== undefined) {
      errors.push(`${path}: duplicate name "${checked.upstream.name}" (also ${previous})`);
      continue;
    }
    pathByName.set(key, path);
    result.entries.push(checked.entry);
    result.parsed.push(checked.upstream);
  }
  return result;
}

/** One entry, parsed like UPSTREAMS, then held to the tenant policy; a string is the error. */
function readUpstream(
  item: unknown,
  allowLoopback: boolean,
): { entry: string; upstream: Upstream } | string {
  if (typeof item !== 'string') return `expected a "name=url" string, got ${describe(item)}`;
  const entry = item.trim();
  if (entry === '') return 'empty entry';
  if (entry.includes(',')) return 'one upstream per entry (a comma separates UPSTREAMS entries)';
  let upstream: Upstream;
  try {
    // Loopback is judged by the tenant policy below, with its own message.
    const [first] = parseUpstreams(entry, { allowLoopback: true });
    if (first === undefined) return 'no upstream in the entry';
    upstream = first;
  } catch (error) {
    if (error instanceof ConfigError) return error.message.replace(/^.*?UPSTREAMS: /, '');
    throw error;
  }
  return checkTenantUpstream(upstream, entry, { allowLoopback }) ?? { entry, upstream };
}

function readFanout(
  value: unknown,
  base: FanoutSettings,
  errors: string[],
): Partial<FanoutSettings> {
  if (value === undefined) return {};
  if (!isPlainObject(value)) {
    errors.push(`fanout: expected an object, got ${describe(value)}`);
    return {};
  }
  const before = errors.length;
  rejectUnknownFields(value, FANOUT_FIELDS, 'fanout.', errors);
  const overrides: { -readonly [K in keyof FanoutSettings]?: FanoutSettings[K] } = {};
  if (value.mode !== undefined) {
    const mode = FANOUT_MODES.find((candidate) => candidate === value.mode);
    if (mode === undefined) {
      errors.push(
        `fanout.mode: expected one of ${FANOUT_MODES.join(', ')}, got ${describe(value.mode)}`,
      );
    } else {
      overrides.mode = mode;
    }
  }
  for (const [key, [min, max]] of Object.entries(TENANT_FANOUT_BOUNDS)) {
    const field = key as keyof typeof TENANT_FANOUT_BOUNDS;
    const setting = value[field];
    if (setting === undefined) continue;
    if (
      typeof setting !== 'number' ||
      !Number.isInteger(setting) ||
      setting < min ||
      setting > max
    ) {
      errors.push(
        `fanout.${field}: expected a whole number in ${min}..${max}, got ${describe(setting)}`,
      );
    } else {
      overrides[field] = setting;
    }
  }
  if (errors.length > before) return overrides;
  const merged: FanoutSettings = { ...base, ...overrides };
  for (const problem of fanoutSettingsProblems(merged)) {
    const field = FANOUT_FIELDS.find((candidate) => problem.startsWith(candidate));
    errors.push(`fanout${field === undefined ? '' : `.${field}`}: ${problem}`);
  }
  // As for the deployment (src/env.ts): a wait longer than the whole fan-out never fires.
  for (const field of ['fallbackMs', 'staggerMs'] as const) {
    if (merged[field] > merged.deadlineMs) {
      errors.push(
        `fanout.${field}: ${merged[field]} must not exceed deadlineMs (${merged.deadlineMs})`,
      );
    }
  }
  return overrides;
}

function readEcs(value: unknown, errors: string[]): EcsPolicy {
  if (value === undefined) return 'strip';
  const policy = ECS_POLICIES.find((candidate) => candidate === value);
  if (policy === undefined) {
    errors.push(`ecs: expected one of ${ECS_POLICIES.join(', ')}, got ${describe(value)}`);
    return 'strip';
  }
  return policy;
}

function readRateLimit(value: unknown, errors: string[]): { enabled: boolean } {
  if (value === undefined) return { enabled: true };
  if (!isPlainObject(value)) {
    errors.push(`rateLimit: expected an object like {"enabled": true}, got ${describe(value)}`);
    return { enabled: true };
  }
  rejectUnknownFields(value, ['enabled'], 'rateLimit.', errors);
  if (value.enabled === undefined) return { enabled: true };
  if (typeof value.enabled !== 'boolean') {
    errors.push(`rateLimit.enabled: expected true or false, got ${describe(value.enabled)}`);
    return { enabled: true };
  }
  return { enabled: value.enabled };
}

/** Normalized, de-duplicated suffixes; each entry is a domain name matched with its subdomains. */
function readNameList(value: unknown, field: 'allow' | 'deny', errors: string[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    errors.push(`${field}: expected an array of domain names, got ${describe(value)}`);
    return [];
  }
  if (value.length > MAX_NAME_LIST_ENTRIES) {
    errors.push(`${field}: ${value.length} entries, at most ${MAX_NAME_LIST_ENTRIES}`);
    return [];
  }
  const names = new Set<string>();
  for (const [index, item] of value.entries()) {
    const path = `${field}[${index}]`;
    if (typeof item !== 'string') {
      errors.push(`${path}: expected a domain name, got ${describe(item)}`);
      continue;
    }
    if (item.includes('*')) {
      errors.push(`${path}: no wildcards; "${stripWildcard(item)}" already matches its subdomains`);
      continue;
    }
    const checked = normalizeName(item.trim());
    if (!checked.ok) {
      errors.push(`${path}: ${checked.error}`);
    } else if (checked.name === '.') {
      errors.push(`${path}: the root would match every name`);
    } else {
      names.add(checked.name);
    }
  }
  return [...names];
}

function stripWildcard(entry: string): string {
  return entry.replace(/^[*.]+/, '');
}

function rejectUnknownFields(
  object: Record<string, unknown>,
  known: readonly string[],
  prefix: string,
  errors: string[],
): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) {
      errors.push(`${prefix}${displayKey(key)}: unknown field (expected ${known.join(', ')})`);
    }
  }
}

/** Longest key echoed back: enough to recognize a typo, not a way to bloat the error body. */
const MAX_KEY_DISPLAY = 64;

function displayKey(key: string): string {
  const short = key.length > MAX_KEY_DISPLAY ? `${key.slice(0, MAX_KEY_DISPLAY)}…` : key;
  return /^[A-Za-z_$][\w$]*$/.test(short) ? short : JSON.stringify(short);
}

function capErrors(errors: string[]): string[] {
  if (errors.length <= MAX_REPORTED_ERRORS) return errors;
  const more = errors.length - MAX_REPORTED_ERRORS;
  return [...errors.slice(0, MAX_REPORTED_ERRORS), `… and ${more} more errors`];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short description of a JSON value for error messages. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    const text = value.length > MAX_KEY_DISPLAY ? `${value.slice(0, MAX_KEY_DISPLAY)}…` : value;
    return JSON.stringify(text);
  }
  if (typeof value === 'object') return 'an object';
  return String(value);
}
