/**
 * Tenant records in Workers KV (SPEC §8): read on every DoH request of a
 * tenant, written only by the admin API, so reads are cached in the isolate
 * for a short time and writes invalidate this isolate's copy at once.
 */
import type { TenantConfig } from './tenant-config';

export interface TenantRecord {
  readonly id: string;
  readonly config: TenantConfig;
  /** SHA-256 of the tenant's bearer token; the token itself is never stored. */
  readonly tokenHash: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * How long an isolate trusts its copy of a tenant record. A config change
 * reaches every isolate within this time (plus KV's own propagation).
 */
export const TENANT_CACHE_MS = 30_000;

const KEY_PREFIX = 'tenant:';

/** Kept beside each KV key, so a listing needs no read per tenant. */
interface TenantListMetadata {
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface TenantSummary {
  readonly id: string;
  readonly createdAt: string | null;
  readonly updatedAt: string | null;
}

export interface TenantPage {
  readonly tenants: readonly TenantSummary[];
  /** Pass back as `cursor` for the next page; null on the last one. */
  readonly cursor: string | null;
}

/** KV returns at most 1000 keys per list call. */
export const MAX_TENANT_PAGE = 1000;

interface Cached {
  readonly record: TenantRecord | null;
  readonly until: number;
}

export class TenantStore {
  readonly #cache = new Map<string, Cached>();

  constructor(
    private readonly kv: KVNamespace,
    private readonly now: () => number = Date.now,
  ) {}

  /** The record, or null for an unknown tenant (a miss is cached too, so probing is cheap). */
  async get(id: string): Promise<TenantRecord | null> {
    const cached = this.#cache.get(id);
    if (cached && cached.until > this.now()) return cached.record;
    const record = await this.kv.get<TenantRecord>(KEY_PREFIX + id, 'json');
    this.#cache.set(id, { record, until: this.now() + TENANT_CACHE_MS });
    return record;
  }

  async put(record: TenantRecord): Promise<void> {
    const metadata: TenantListMetadata = {
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    await this.kv.put(KEY_PREFIX + record.id, JSON.stringify(record), { metadata });
    this.#cache.set(record.id, { record, until: this.now() + TENANT_CACHE_MS });
  }

  /**
   * One page of tenants in id order, straight from KV's list (eventually
   * consistent: a tenant created a moment ago may be missing for a while).
   */
  async list(limit: number, cursor?: string): Promise<TenantPage> {
    const page = await this.kv.list<TenantListMetadata>({ prefix: KEY_PREFIX, limit, cursor });
    return {
      tenants: page.keys.map((key) => ({
        id: key.name.slice(KEY_PREFIX.length),
        createdAt: key.metadata?.createdAt ?? null,
        updatedAt: key.metadata?.updatedAt ?? null,
      })),
      cursor: page.list_complete ? null : page.cursor,
    };
  }

  async delete(id: string): Promise<void> {
    await this.kv.delete(KEY_PREFIX + id);
    this.#cache.set(id, { record: null, until: this.now() + TENANT_CACHE_MS });
  }
}

const stores = new WeakMap<KVNamespace, TenantStore>();

/** One store per KV binding per isolate, so its cache is shared by all requests. */
export function tenantStore(kv: KVNamespace): TenantStore {
  let store = stores.get(kv);
  if (!store) {
    store = new TenantStore(kv);
    stores.set(kv, store);
  }
  return store;
}
