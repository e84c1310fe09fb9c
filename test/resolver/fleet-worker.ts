/**
 * Helpers for tests that call the worker against the loopback fleet: unique
 * names (so concurrently running files never share stats, cache entries or
 * pools), the fleet as UPSTREAMS, the pool object and cache key of a name.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { inject } from 'vitest';
import { cacheKey } from '../../src/cache/cache-key';
import type { DnsMessage } from '../../src/dns/codec';
import { poolObjectName } from '../../src/pool/pool-gateway';
import { deserializePoolState, serializePoolState } from '../../src/pool/pool-state-json';
import {
  DEFAULT_TENANT,
  isolateHealth,
  isolateInflight,
  thisIsolate,
} from '../../src/resolver/isolate-resolver';
import { tenantScope } from '../../src/tenants/tenant-scope';
import { tenantStore } from '../../src/tenants/tenant-store';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import type { Upstream } from '../../src/upstream/types';
import { clientOpt } from '../routes/worker-client';
import { fetchStats } from '../support/control-client';
import type { Stats } from '../support/request-log';
import type { FleetUpstream } from '../support/upstream-fleet';

/** A name under fleet.test no other test asks for; also the stats/control suffix. */
export function uniqueFleetName(purpose: string): string {
  return `${purpose}-${crypto.randomUUID()}.fleet.test`;
}

/** Worker bindings that point UPSTREAMS at the five fleet upstreams. */
export function fleetBindings(): Partial<Env> {
  return { UPSTREAMS: inject('fleetUpstreams') };
}

/** The fleet member called `name`. */
export function fleetMember(name: string): FleetUpstream {
  const member = inject('fleet').find((u) => u.name === name);
  if (member === undefined) throw new Error(`no fleet upstream named ${name}`);
  return member;
}

/** Every address any fleet member answers with, sorted. */
export function fleetUnion(): string[] {
  return [...new Set(inject('fleet').flatMap((u) => u.addresses))].sort();
}

/**
 * The fleet as this isolate ranks it right now: the first ACTIVE_TIER_SIZE
 * are the active tier of the next miss, the rest the background tier.
 */
export function rankedFleet(): { active: Upstream[]; background: Upstream[] } {
  const upstreams = parseUpstreams(inject('fleetUpstreams'), { allowLoopback: true });
  const ranked = isolateHealth.scoped(DEFAULT_TENANT).rank(upstreams);
  const size = Number(env.ACTIVE_TIER_SIZE);
  return { active: ranked.slice(0, size), background: ranked.slice(size) };
}

/** The DomainPool object holding `name`'s pool for the default tenant. */
export function poolStub(name: string) {
  return env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(poolObjectName(DEFAULT_TENANT, name)));
}

/**
 * Makes `name`'s A pool older by `byMs`: every expiry and the sweep window
 * move back, as if that time had passed. Nothing happens without a pool.
 */
export async function agePool(name: string, byMs: number, tenant = DEFAULT_TENANT): Promise<void> {
  const stub = env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(poolObjectName(tenant, name)));
  await runInDurableObject(stub, (_pool, state) => {
    const tables = state.storage.sql
      .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pools'")
      .toArray();
    if (tables.length === 0) return;
    const rows = state.storage.sql
      .exec<{ state: string }>("SELECT state FROM pools WHERE qtype = 'A'")
      .toArray();
    const row = rows[0];
    if (row === undefined) return;
    const pool = deserializePoolState(row.state);
    const aged = {
      ...pool,
      records: pool.records.map((r) => ({ ...r, expiresAt: r.expiresAt - byMs })),
      negative: pool.negative
        ? { ...pool.negative, expiresAt: pool.negative.expiresAt - byMs }
        : null,
      lease: { leaseUntil: 0, sweptUntil: pool.lease.sweptUntil - byMs },
    };
    state.storage.sql.exec(
      "UPDATE pools SET state = ? WHERE qtype = 'A'",
      serializePoolState(aged),
    );
  });
}

/**
 * The tenant scope cache keys are built from (id and generation,
 * src/tenants/tenant-scope.ts) of a tenant created through the admin API.
 */
export async function scopeOfTenant(id: string): Promise<string> {
  const record = await tenantStore(env.TENANTS).get(id);
  if (!record) throw new Error(`no tenant ${id}`);
  return tenantScope(record);
}

/**
 * A tenant's (by default the default tenant's) cache key of a plain (no DO,
 * no CD) query; `tenant` is a tenant scope (scopeOfTenant), not a bare id.
 */
export function plainCacheKey(name: string, type = 'A', tenant = DEFAULT_TENANT): string {
  return cacheKey({
    tenant,
    name,
    type,
    qclass: 'IN',
    dnssecOk: false,
    checkingDisabled: false,
  });
}

/** An OPT record (RFC 6891) so the response can carry Extended DNS Errors. */
export const CLIENT_OPT = clientOpt();

/**
 * Makes the cached answer for `name` older by `ageBy(ttl)` seconds, in
 * isolate memory and in the colo cache alike (the fleet has no TTL control),
 * so tests can reach the last 10 % of a TTL or the stale window without
 * waiting. Returns the entry's TTL in seconds.
 */
export async function ageCachedAnswer(
  name: string,
  ageBy: (ttlS: number) => number,
  tenant = DEFAULT_TENANT,
): Promise<number> {
  const key = plainCacheKey(name, 'A', tenant);
  const entry = thisIsolate.answerCache(env).memory.get(key);
  if (entry === undefined)
    throw new Error(`the answer for ${name} was not cached in isolate memory`);
  // The entry came from the pool: the pool ages with it (its records' expiry
  // and its sweep window), as it would have in the time this skips.
  await agePool(name, ageBy(entry.ttl) * 1_000, tenant);
  await thisIsolate
    .answerCache(env)
    .store(key, { ...entry, storedAt: entry.storedAt - ageBy(entry.ttl) * 1_000 }, true);
  return entry.ttl;
}

/**
 * Makes the answer of the flight still open for `name` older by
 * `ageBy(ttl)` seconds: the winner's answer that clients joining the flight
 * get until its pool write lands (isolate memory never holds it). Returns
 * the answer's TTL in seconds.
 */
export async function ageInflightAnswer(
  name: string,
  ageBy: (ttlS: number) => number,
): Promise<number> {
  const key = plainCacheKey(name);
  const now = Date.now();
  const flight = isolateInflight.join(key, now);
  if (flight === undefined) throw new Error(`no flight open for ${name}`);
  const answer = await flight.answer;
  const { entry } = answer;
  if (entry === null) throw new Error(`the flight for ${name} has no answer`);
  const aged = { ...entry, storedAt: entry.storedAt - ageBy(entry.ttl) * 1_000 };
  isolateInflight.add(key, { ...flight, answer: Promise.resolve({ ...answer, entry: aged }) }, now);
  return entry.ttl;
}

/** Requests per fleet upstream for names under `suffix`. */
export async function requestsPerUpstream(suffix: string): Promise<Record<string, number>> {
  return countsOf(await fetchStats(suffix));
}

function countsOf(stats: Stats): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const member of inject('fleet'))
    counts[member.name] = stats.servers[member.name]?.requests ?? 0;
  return counts;
}

/** Polls the stats until every upstream in `upstreams` has received `count` queries for `suffix`. */
export async function untilArrived(
  suffix: string,
  upstreams: readonly string[],
  count = 1,
): Promise<void> {
  // The fleet answers in well under a second; 5 s means the request never left.
  const deadline = Date.now() + 5_000;
  for (;;) {
    const counts = await requestsPerUpstream(suffix);
    if (upstreams.every((name) => (counts[name] ?? 0) >= count)) return;
    if (Date.now() > deadline)
      throw new Error(`no arrival at ${upstreams.join(',')}: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The `max-age` of a response's cache-control header, or NaN. */
export function maxAgeOf(response: Response): number {
  const match = /max-age=(\d+)/.exec(response.headers.get('cache-control') ?? '');
  return match ? Number(match[1]) : Number.NaN;
}

/** The TTLs of the answer section. */
export function answerTtls(message: DnsMessage): number[] {
  return (message.answers ?? []).map((r) => ('ttl' in r ? (r.ttl ?? 0) : 0));
}
