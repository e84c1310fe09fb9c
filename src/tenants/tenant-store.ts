/**
 * Tenant records in Workers KV (docs/operations.md §2): read on every DoH request of a
 * tenant, written only by the admin API, so reads are cached in the isolate
 * for a short time and writes invalidate this isolate's copy at once.
 */
import { estimatedBytes, LruCache } from '../cache/lru-cache';
import type { TenantConfig } from './tenant-config';

export interface TenantRecord {
  readonly id: string;
  readonly config: TenantConfig;
  /** SHA-256 of the tenant's bearer token; the token itself is never stored. */
  readonly tokenHash: string;
  /**
   * Random, new with every creation of the id, part of the tenant scope
   * (tenant-scope.ts). Absent on records written before generations existed.
   */
  readonly generation?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * How long an isolate trusts its copy of a tenant record. A config change
 * reaches every isolate within this time (plus KV's own propagation and,
 * on the DoH path, one background read: see fromMemory).
 */
export const TENANT_CACHE_MS = 30_000;

/**
 * How long past TENANT_CACHE_MS the DoH path keeps serving a record while
 * its background refresh has not landed (KV slow or failing). Past it the
 * record is read again before the request goes on, as for an unknown one.
 */
export const TENANT_STALE_MS = 300_000;

/**
 * Tenant records cached per isolate, and their estimated bytes: a record
 * with full allow/deny lists (1000 names each) is about 1 MB as estimated,
 * a typical one a few KB. Past either bound the least recently used record
 * is read from KV again: slower, never wrong.
 */
export const TENANT_CACHE_ENTRIES = 1_000;
export const TENANT_CACHE_BYTES = 8 * 1024 * 1024;

/**
 * Unknown ids remembered per isolate, apart from the records, so probing
 * random ids neither reaches KV on every request nor evicts real tenants.
 */
export const UNKNOWN_TENANT_ENTRIES = 1_000;

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

/** The bounds above; tests pass smaller ones. */
export interface TenantCacheLimits {
  readonly records: number;
  readonly bytes: number;
  readonly unknown: number;
}

const DEFAULT_LIMITS: TenantCacheLimits = {
  records: TENANT_CACHE_ENTRIES,
  bytes: TENANT_CACHE_BYTES,
  unknown: UNKNOWN_TENANT_ENTRIES,
};

interface Cached {
  readonly record: TenantRecord;
  readonly until: number;
}

export class TenantStore {
  readonly #records: LruCache<string, Cached>;
  /** Unknown id -> until when it is trusted to be unknown. */
  readonly #unknown: LruCache<string, number>;
  /** Background refreshes in progress, one per id. */
  readonly #refreshing = new Map<string, Promise<void>>();

  constructor(
    private readonly kv: KVNamespace,
    private readonly now: () => number = Date.now,
    limits: TenantCacheLimits = DEFAULT_LIMITS,
  ) {
    this.#records = new LruCache(limits.records, {
      maxBytes: limits.bytes,
      sizeOf: (id, cached) => estimatedBytes(id) + estimatedBytes(cached.record),
    });
    this.#unknown = new LruCache(limits.unknown);
  }

  /** The record, or null for an unknown tenant (a miss is cached too, so probing is cheap). */
  async get(id: string): Promise<TenantRecord | null> {
    const now = this.now();
    const cached = this.#records.get(id);
    if (cached && cached.until > now) return cached.record;
    const unknownUntil = this.#unknown.get(id);
    if (unknownUntil !== undefined && unknownUntil > now) return null;
    const record = await this.kv.get<TenantRecord>(KEY_PREFIX + id, 'json');
    this.#remember(id, record);
    return record;
  }

  /**
   * The record this isolate knows, without waiting (the DoH path,
   * stale-while-revalidate): fresh for TENANT_CACHE_MS; after that it is
   * still returned while one refresh per id runs through `background`
   * (`ctx.waitUntil`), for at most TENANT_STALE_MS more. Undefined when the
   * caller must read: never seen, cached as unknown, or too old.
   */
  fromMemory(id: string, background: (work: Promise<unknown>) => void): TenantRecord | undefined {
    const cached = this.#records.get(id);
    if (!cached) return undefined;
    const now = this.now();
    if (cached.until > now) return cached.record;
    if (cached.until + TENANT_STALE_MS <= now) return undefined;
    if (!this.#refreshing.has(id)) {
      const refresh = this.#refresh(id, cached);
      this.#refreshing.set(id, refresh);
      background(refresh);
    }
    return cached.record;
  }

  /**
   * Reads the record again; a put or delete through this store meanwhile
   * wins over the older read. A failed read keeps the copy (logged); the
   * next request past TENANT_CACHE_MS tries again.
   */
  async #refresh(id: string, seen: Cached): Promise<void> {
    try {
      const record = await this.kv.get<TenantRecord>(KEY_PREFIX + id, 'json');
      if (this.#records.peek(id) === seen) this.#remember(id, record);
    } catch (error) {
      console.error(
        JSON.stringify({ event: 'tenant-refresh-error', tenant: id, error: String(error) }),
      );
    } finally {
      this.#refreshing.delete(id);
    }
  }

  async put(record: TenantRecord): Promise<void> {
    const metadata: TenantListMetadata = {
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
    };
    await this.kv.put(KEY_PREFIX + record.id, JSON.stringify(record), { metadata });
    this.#remember(record.id, record);
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
    this.#remember(id, null);
  }

  /** Records and unknown ids held, for the bounds' tests. */
  get cached(): { readonly records: number; readonly bytes: number; readonly unknown: number } {
    return { records: this.#records.size, bytes: this.#records.bytes, unknown: this.#unknown.size };
  }

  #remember(id: string, record: TenantRecord | null): void {
    const until = this.now() + TENANT_CACHE_MS;
    if (record) {
      this.#unknown.delete(id);
      this.#records.set(id, { record, until });
    } else {
      this.#records.delete(id);
      this.#unknown.set(id, until);
    }
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
