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
    await this.kv.put(KEY_PREFIX + record.id, JSON.stringify(record));
    this.#cache.set(record.id, { record, until: this.now() + TENANT_CACHE_MS });
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
