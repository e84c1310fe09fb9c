/**
 * Upstream health shared by the isolates of one colo (docs/architecture.md §2).
 *
 * Most production isolates are young: on its own, each would rank upstreams
 * in config order until its first misses taught it better. Isolates that
 * have learnt publish a small snapshot per tenant scope to the colo's Cache
 * API, at most every HEALTH_SNAPSHOT_INTERVAL_MS; an isolate that has not
 * learnt a scope yet loads it once and adopts it (UpstreamHealth.adopt). The
 * snapshot is a prior, never the truth: the isolate's own measurements take
 * over from the first fan-out, and nothing waits for the cache to answer.
 *
 * The Cache is an argument (caches.default in the worker, one named cache per
 * simulated colo in the fleet simulation).
 */
import { LruCache } from '../cache/lru-cache';
import { type Clock, settleWithin } from './clock';
import { CACHE_PUT_BUDGET_MS } from './fanout-settings';
import {
  HEALTH_SNAPSHOT_MAX_AGE_MS,
  MAX_HEALTH_SNAPSHOT_BYTES,
  parseHealthSnapshotText,
} from './health-snapshot';
import type { UpstreamHealth } from './upstream-health';

/**
 * At most one snapshot per scope per isolate per this period: a busy isolate
 * records a fan-out per miss, and one cache put per miss would cost more
 * than the sharing is worth; a few seconds old is fresh for a ranking.
 */
export const HEALTH_SNAPSHOT_INTERVAL_MS = 5_000;

/**
 * How long the colo keeps a snapshot: as long as its figures may be adopted.
 * Busy scopes are rewritten long before; an idle scope's snapshot goes away.
 */
export const HEALTH_SNAPSHOT_CACHE_S = HEALTH_SNAPSHOT_MAX_AGE_MS / 1_000;

/**
 * A missing or failed load is not retried for this long: a scope no isolate
 * has published yet must not cost a cache lookup per request.
 */
export const HEALTH_SNAPSHOT_RETRY_MS = 10_000;

/**
 * A load still pending after this is taken as lost: a load runs in the
 * request that started it, and the platform cancels a finished request's I/O
 * without settling its promises, which must not block loading for good.
 */
export const HEALTH_SNAPSHOT_LOAD_MS = 2_000;

/** Scopes whose load and publish state an isolate remembers (like the tenant resolvers). */
export const MAX_SHARED_HEALTH_SCOPES = 1_000;

/** Cache API keys must be URLs; this host is never resolved, only used as a key. */
const HEALTH_URL_PREFIX = 'https://colo-health.edge-resolver.internal/health/';

type LoadState =
  /** Loading since; at most one load per scope at a time. */
  | { readonly kind: 'loading'; readonly since: number }
  /** Nothing (usable) found, or the load failed: next attempt after. */
  | { readonly kind: 'missing'; readonly retryAt: number }
  /** Adopted, or this isolate learnt the scope itself: no more loads. */
  | { readonly kind: 'done' };

/** One tenant scope's sharing; both methods never reject. */
export interface ScopedHealthShare {
  /**
   * Starts loading the colo's snapshot into health unless this isolate has
   * it, learnt the scope itself, is loading it, or recently found none.
   * Returns the load for `waitUntil`, or null. Nobody needs to await it: a
   * fan-out planned before it lands ranks without it.
   */
  prepare(): Promise<void> | null;
  /**
   * After a fan-out was recorded: writes this isolate's snapshot of the scope
   * to the colo if the last write was HEALTH_SNAPSHOT_INTERVAL_MS ago or
   * more. Returns the write for `waitUntil`, or null when none is due.
   */
  publish(): Promise<void> | null;
}

export class ColoHealthShare {
  private readonly loads = new LruCache<string, LoadState>(MAX_SHARED_HEALTH_SCOPES);
  private readonly published = new LruCache<string, number>(MAX_SHARED_HEALTH_SCOPES);

  constructor(
    private readonly health: UpstreamHealth,
    /** A promise while a named cache is being opened (a simulated colo, SIMULATED_COLO). */
    private readonly colo: Cache | Promise<Cache>,
    private readonly clock: Clock,
  ) {}

  scoped(scope: string): ScopedHealthShare {
    return { prepare: () => this.prepare(scope), publish: () => this.publish(scope) };
  }

  /** See ScopedHealthShare.prepare. */
  prepare(scope: string): Promise<void> | null {
    const now = this.clock.now();
    const state = this.loads.get(scope);
    if (state?.kind === 'done') return null;
    if (state?.kind === 'loading' && now - state.since < HEALTH_SNAPSHOT_LOAD_MS) return null;
    if (state?.kind === 'missing' && now < state.retryAt) return null;
    this.loads.set(scope, { kind: 'loading', since: now });
    return this.load(scope).then(
      (adopted) => this.settleLoad(scope, adopted),
      (error: unknown) => {
        this.settleLoad(scope, false);
        console.error(JSON.stringify({ event: 'health-load-error', scope, error: String(error) }));
      },
    );
  }

  /** See ScopedHealthShare.publish. */
  publish(scope: string): Promise<void> | null {
    // This isolate has its own figures now; the colo's would only fill gaps.
    this.loads.set(scope, { kind: 'done' });
    const now = this.clock.now();
    const last = this.published.get(scope);
    if (last !== undefined && now - last < HEALTH_SNAPSHOT_INTERVAL_MS) return null;
    this.published.set(scope, now);
    const body = JSON.stringify(this.health.shareSnapshot(scope, now));
    // Only a URL longer than the shape allows can do this; the put is skipped, not truncated.
    if (body.length > MAX_HEALTH_SNAPSHOT_BYTES) return null;
    const response = new Response(body, {
      headers: {
        'content-type': 'application/json',
        'cache-control': `max-age=${HEALTH_SNAPSHOT_CACHE_S}`,
      },
    });
    const put = Promise.resolve(this.colo).then((colo) =>
      colo.put(healthSnapshotUrl(scope), response),
    );
    return settleWithin(this.clock, put, CACHE_PUT_BUDGET_MS, undefined).catch((error: unknown) => {
      console.error(JSON.stringify({ event: 'health-share-error', scope, error: String(error) }));
    });
  }

  /** Whether a snapshot was found and seeded anything. */
  private async load(scope: string): Promise<boolean> {
    const stored = await (await this.colo).match(healthSnapshotUrl(scope));
    if (!stored) return false;
    const text = await readBounded(stored, MAX_HEALTH_SNAPSHOT_BYTES);
    if (text === null) return false;
    const snapshot = parseHealthSnapshotText(text);
    return snapshot !== null && this.health.adopt(scope, snapshot, this.clock.now()) > 0;
  }

  private settleLoad(scope: string, adopted: boolean): void {
    // publish() may have marked the scope done while the load was under way.
    if (this.loads.peek(scope)?.kind === 'done') return;
    this.loads.set(
      scope,
      adopted
        ? { kind: 'done' }
        : { kind: 'missing', retryAt: this.clock.now() + HEALTH_SNAPSHOT_RETRY_MS },
    );
  }
}

/** The colo cache key of `scope`'s snapshot. */
export function healthSnapshotUrl(scope: string): string {
  return HEALTH_URL_PREFIX + encodeURIComponent(scope);
}

/** The body as text if it is at most `maxBytes`, else null; stops reading there. */
async function readBounded(response: Response, maxBytes: number): Promise<string | null> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  const body = response.body;
  if (declared > maxBytes || body === null) {
    await body?.cancel();
    return null;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const read = await reader.read();
      if (read.done) break;
      length += read.value.byteLength;
      if (length > maxBytes) return null;
      chunks.push(read.value);
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}
