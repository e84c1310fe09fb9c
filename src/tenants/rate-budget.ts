/**
 * The per-(tenant, client) request budget (docs/operations.md §4) without a
 * platform call per request. The Workers Rate Limiting binding stays the
 * counter that all isolates of a location share, but it counts leases, not
 * requests: one `limit()` call buys RATE_LEASE_REQUESTS requests, which
 * this isolate then hands out from memory. A request that starts a lease is
 * served at once while the binding is asked beside it (an advance on the
 * lease); when the binding refuses, the key is refused here from the next
 * request on, and asked again at most once per RATE_RECHECK_MS.
 *
 * What that bounds, per (tenant, client) and binding period: the binding's
 * limit × RATE_LEASE_REQUESTS requests, plus at most two leases per isolate
 * the client reaches (the unspent rest of a lease bought in the previous
 * period, and one advance the binding then refuses).
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/
 */
import { LruCache } from '../cache/lru-cache';
import type { Clock } from '../upstream/clock';

/**
 * Requests one `limit()` call buys. The binding's `limit` in wrangler.toml
 * is in leases: 60 per 60 s is 600 requests. Ten keeps the binding off all
 * but one request in ten of a busy client while a refused advance can let
 * through at most ten requests more per isolate.
 */
export const RATE_LEASE_REQUESTS = 10;

/**
 * How long a refusal is trusted before the binding is asked again. The
 * binding's windows are 10 or 60 s; one second lets a client back within a
 * second of its window ending, and costs a refused client one call a second.
 */
export const RATE_RECHECK_MS = 1_000;

/**
 * Clients remembered per isolate. Forgetting one costs at most a lease it
 * had paid for (its next request buys another), or a refusal (its next
 * request is an advance the binding refuses again).
 */
export const RATE_BUDGET_KEYS = 10_000;

/**
 * What a request may do: go on, be refused (429), or, for a client the
 * binding refused before, wait for its answer (true: go on).
 */
export type RateVerdict = 'allowed' | 'limited' | Promise<boolean>;

/** One `limit()` call for the key: true when the binding grants a lease. */
export type ConsultBinding = (key: string) => Promise<boolean>;

interface KeyBudget {
  /** Requests of the current lease this isolate may still serve. */
  remaining: number;
  /** Set when the binding refused: no lease before this time. */
  refusedUntil: number | null;
  /** The recheck of a refused key in progress. */
  recheck: Promise<boolean> | null;
}

export class RateBudget {
  readonly #keys: LruCache<string, KeyBudget>;

  constructor(
    private readonly consult: ConsultBinding,
    private readonly clock: Pick<Clock, 'now'>,
    maxKeys = RATE_BUDGET_KEYS,
  ) {
    this.#keys = new LruCache(maxKeys);
  }

  /**
   * Charges one request to `key`. `background` receives the consult a new
   * lease starts, which nobody waits for (in the worker: `ctx.waitUntil`).
   */
  take(key: string, background: (work: Promise<unknown>) => void): RateVerdict {
    let budget = this.#keys.get(key);
    if (!budget) {
      budget = { remaining: 0, refusedUntil: null, recheck: null };
      this.#keys.set(key, budget);
    }
    if (budget.remaining > 0) {
      budget.remaining -= 1;
      return 'allowed';
    }
    if (budget.refusedUntil !== null) {
      // Refused: no advance. One request asks again once the refusal is old;
      // the others are refused meanwhile.
      if (budget.recheck !== null || budget.refusedUntil > this.clock.now()) return 'limited';
      const recheck = this.#lease(key, budget);
      budget.recheck = recheck;
      return recheck;
    }
    // A new lease, served at once; this request is its first.
    budget.remaining = RATE_LEASE_REQUESTS - 1;
    background(this.#lease(key, budget));
    return 'allowed';
  }

  /** Known keys, for the bound's test. */
  get size(): number {
    return this.#keys.size;
  }

  /**
   * Asks the binding for a lease. Granted: the key is in good standing (a
   * recheck's request is the lease's first). Refused: whatever is left of
   * an advance is withdrawn. A binding that fails is treated as granting:
   * the request was served already, and a broken limiter must not take the
   * resolver down with it (the error is logged).
   */
  async #lease(key: string, budget: KeyBudget): Promise<boolean> {
    let granted: boolean;
    try {
      granted = await this.consult(key);
    } catch (error) {
      console.error(JSON.stringify({ event: 'rate-limit-error', error: String(error) }));
      granted = true;
    }
    const wasRefused = budget.refusedUntil !== null;
    budget.recheck = null;
    if (granted) {
      budget.refusedUntil = null;
      if (wasRefused) budget.remaining = RATE_LEASE_REQUESTS - 1;
    } else {
      budget.remaining = 0;
      budget.refusedUntil = this.clock.now() + RATE_RECHECK_MS;
    }
    return granted;
  }
}

const budgets = new WeakMap<RateLimit, RateBudget>();

/** One budget per binding per isolate, shared by all its requests. */
export function rateBudget(binding: RateLimit, clock: Pick<Clock, 'now'>): RateBudget {
  let budget = budgets.get(binding);
  if (!budget) {
    budget = new RateBudget(async (key) => (await binding.limit({ key })).success, clock);
    budgets.set(binding, budget);
  }
  return budget;
}
