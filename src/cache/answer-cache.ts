/**
 * The two cache layers in front of the fan-out (docs/architecture.md §5): isolate memory
 * (bounded LRU, no I/O) and the colo's Cache API. An entry stores the answer
 * as it was when stored plus the time; TTLs are counted down on the way out,
 * so one entry serves every client with the right remaining TTL.
 */
import { type DnsMessage, decodeMessage, encodeMessage } from '../dns/codec';
import type { PhaseTimer } from '../observability/phase-timing';
import { estimatedBytes, LruCache } from './lru-cache';

/** RFC 8767 §5 suggests 1 to 3 days; one day keeps stale answers plausible. */
export const STALE_WINDOW_S = 86_400;

/** Entries in isolate memory: plenty for the hot names of one isolate. */
export const ISOLATE_CACHE_ENTRIES = 10_000;

/**
 * Estimated bytes of those entries. 10,000 entries of up to 64 KB would be
 * 640 MB against the isolate's 128 MB; a quarter of it is the cache's share
 * (see the README's memory table for the rest). A typical answer is about
 * 1 KB as estimated, so the count still binds first for ordinary traffic.
 */
export const ISOLATE_CACHE_BYTES = 32 * 1024 * 1024;

/** Cache API keys must be URLs; this host is never resolved, only used as a key. */
const CACHE_URL_PREFIX = 'https://answer-cache.edge-resolver.internal/';

export interface CachedAnswer {
  readonly rcode: string;
  readonly authenticData: boolean;
  /** Records with their TTL as it was at `storedAt`. */
  readonly answers: NonNullable<DnsMessage['answers']>;
  readonly authorities: NonNullable<DnsMessage['authorities']>;
  /** ms since epoch. */
  readonly storedAt: number;
  /** Freshness lifetime in seconds (min TTL, capped). */
  readonly ttl: number;
  /** Pool version that produced the entry, if it came from the pool. */
  readonly version?: string;
}

export type CacheLookup =
  | { readonly state: 'fresh'; readonly entry: CachedAnswer; readonly ageS: number }
  | { readonly state: 'stale'; readonly entry: CachedAnswer; readonly ageS: number };

/** Age in whole seconds, as DNS counts it. */
function ageSeconds(entry: CachedAnswer, now: number): number {
  return Math.max(0, Math.floor((now - entry.storedAt) / 1000));
}

/** Classifies an entry at `now`: fresh, stale within the window, or gone (null). */
export function classifyEntry(entry: CachedAnswer, now: number): CacheLookup | null {
  const ageS = ageSeconds(entry, now);
  if (ageS < entry.ttl) return { state: 'fresh', entry, ageS };
  if (ageS < entry.ttl + STALE_WINDOW_S) return { state: 'stale', entry, ageS };
  return null;
}

export class AnswerCache {
  readonly memory: LruCache<string, CachedAnswer>;

  constructor(
    /** A promise while a named cache is being opened (a simulated colo, SIMULATED_COLO). */
    private readonly colo: Cache | Promise<Cache> | null,
    maxEntries = ISOLATE_CACHE_ENTRIES,
    maxBytes = ISOLATE_CACHE_BYTES,
  ) {
    this.memory = new LruCache(maxEntries, {
      maxBytes,
      sizeOf: (key, entry) => estimatedBytes(key) + estimatedBytes(entry),
    });
  }

  /**
   * Isolate memory first (no I/O), then the colo cache, which refills memory.
   * A memory entry that is no longer fresh does not end the lookup: another
   * isolate of the colo may have written a fresh one, and using it saves a
   * fan-out. The stale memory entry is the fallback (serve-stale).
   * `phases` gets the time of each layer (`isolate-cache`, `colo-cache`).
   */
  async lookup(key: string, now: number, phases?: PhaseTimer): Promise<CacheLookup | null> {
    const endMemory = phases?.start('isolate-cache');
    const inMemory = this.#fromMemory(key, now);
    endMemory?.();
    if (inMemory?.state === 'fresh' || !this.colo) return inMemory;
    const endColo = phases?.start('colo-cache');
    const fromColo = await this.#fromColo(key, now).finally(() => endColo?.());
    if (fromColo?.state === 'fresh') {
      this.memory.set(key, fromColo.entry);
      return fromColo;
    }
    // A flight may have answered into memory while we waited for the colo:
    // use it rather than start a second fan-out for the same name.
    const meanwhile = this.#fromMemory(key, now);
    if (meanwhile) return meanwhile;
    if (fromColo) this.memory.set(key, fromColo.entry);
    return fromColo;
  }

  async #fromColo(key: string, now: number): Promise<CacheLookup | null> {
    if (!this.colo) return null;
    const stored = await (await this.colo).match(CACHE_URL_PREFIX + key);
    if (!stored) return null;
    const entry = await readEntry(stored);
    return entry ? classifyEntry(entry, now) : null;
  }

  #fromMemory(key: string, now: number): CacheLookup | null {
    const entry = this.memory.get(key);
    if (!entry) return null;
    const found = classifyEntry(entry, now);
    if (!found) this.memory.delete(key);
    return found;
  }

  /** Stores in memory now; `persist` also writes the colo cache (awaitable for waitUntil). */
  async store(key: string, entry: CachedAnswer, persist: boolean): Promise<void> {
    this.memory.set(key, entry);
    if (persist && this.colo) {
      await (await this.colo).put(CACHE_URL_PREFIX + key, toResponse(entry));
    }
  }
}

/**
 * The Cache API stores Responses: the records travel as a wire-format DNS
 * message (lossless for every record type), the metadata as headers.
 */
function toResponse(entry: CachedAnswer): Response {
  const body = encodeMessage({
    id: 0,
    type: 'response',
    flags: 0,
    answers: entry.answers,
    authorities: entry.authorities,
  } as DnsMessage);
  return new Response(body, {
    headers: {
      // The colo keeps the entry through its stale window; freshness is ours to judge.
      'cache-control': `max-age=${entry.ttl + STALE_WINDOW_S}`,
      'x-stored-at': String(entry.storedAt),
      'x-ttl': String(entry.ttl),
      'x-rcode': entry.rcode,
      'x-ad': entry.authenticData ? '1' : '0',
      ...(entry.version ? { 'x-version': entry.version } : {}),
    },
  });
}

async function readEntry(response: Response): Promise<CachedAnswer | null> {
  const storedAt = Number(response.headers.get('x-stored-at'));
  const ttl = Number(response.headers.get('x-ttl'));
  const rcode = response.headers.get('x-rcode');
  if (!Number.isFinite(storedAt) || !Number.isFinite(ttl) || !rcode) return null;
  try {
    const message = decodeMessage(new Uint8Array(await response.arrayBuffer()));
    const version = response.headers.get('x-version');
    return {
      rcode,
      authenticData: response.headers.get('x-ad') === '1',
      answers: message.answers ?? [],
      authorities: message.authorities ?? [],
      storedAt,
      ttl,
      ...(version ? { version } : {}),
    };
  } catch {
    // A corrupt entry is a miss, never an error for the client.
    return null;
  }
}
