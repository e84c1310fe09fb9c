/**
 * Tuning of one fan-out (docs/architecture.md §2). Every value is configurable per tenant; the
 * defaults below are what a tenant gets when it sets nothing.
 */

/**
 * `tiered` is the production mode. `parallel` and `sequential` exist to be
 * compared against in the benchmark and because users of other forwarders
 * expect them.
 */
export type FanoutMode = 'tiered' | 'parallel' | 'sequential';

export const FANOUT_MODES: readonly FanoutMode[] = ['tiered', 'parallel', 'sequential'];

/**
 * Workers allow 6 simultaneous open connections per invocation, shared with
 * the Cache API and Durable Object calls; a seventh only queues, with its
 * deadline already running. No mode opens more upstream requests at once.
 * @see https://developers.cloudflare.com/workers/platform/limits/#simultaneous-open-connections
 */
export const PLATFORM_CONNECTION_LIMIT = 6;

/**
 * `ctx.waitUntil` work is cancelled 30 s after the response is sent (or the
 * client hung up); the fan-out, the pool write and the cache put all run in it.
 * @see https://developers.cloudflare.com/workers/runtime-apis/context/#waituntil
 */
export const WAIT_UNTIL_MS = 30_000;
/** What the pool write (one Durable Object call) may take after the fan-out; it is cut off past that. */
export const POOL_WRITE_BUDGET_MS = 3_000;
/**
 * What opening the domain's pool (its snapshot and the sweep decision, one
 * Durable Object call beside the active tier) may take. No client waits for
 * it while an upstream answers; past it the flight sweeps as if there were no
 * pool, so a far or failing object costs an extra sweep, never completeness.
 */
export const POOL_OPEN_BUDGET_MS = 1_000;
/** What the Cache API put of the written pool may take. */
export const CACHE_PUT_BUDGET_MS = 2_000;
/** The longest deadline whose fan-out, pool write and cache put all fit in `waitUntil`: 25 s. */
export const MAX_DEADLINE_MS = WAIT_UNTIL_MS - POOL_WRITE_BUDGET_MS - CACHE_PUT_BUDGET_MS;

export interface FanoutSettings {
  readonly mode: FanoutMode;
  /** Best-ranked upstreams queried at t=0 (tiered). */
  readonly activeTierSize: number;
  /** Start the background tier if no usable answer arrived by then (tiered). */
  readonly fallbackMs: number;
  /** Background upstreams started per batch (tiered). */
  readonly batchSize: number;
  /** Gap between background batches, counted from when a batch actually went out (tiered). */
  readonly staggerMs: number;
  /** Whole fan-out, background included; everything still open is aborted (all modes). */
  readonly deadlineMs: number;
  /**
   * Upstream requests open at once (tiered). `sequential` never has more than one
   * open; `parallel` ignores it on purpose, being the all-at-once baseline, but
   * never opens more than PLATFORM_CONNECTION_LIMIT (the rest start as slots free).
   */
  readonly maxInflight: number;
}

export const DEFAULT_FANOUT_SETTINGS: FanoutSettings = {
  // The mode that answers fast without hammering every upstream on the critical path.
  mode: 'tiered',
  // Two racing upstreams hide one slow or dead resolver from the client while
  // costing only one extra request on the critical path.
  activeTierSize: 2,
  // Well above a healthy DoH round trip from an edge colo (tens of ms), well
  // below what a client notices as a hang: a slow active tier gets help early.
  fallbackMs: 300,
  // Two new requests per batch keep the background tier at the same pace as
  // the active tier and leave room under maxInflight for the next batch.
  batchSize: 2,
  // Spreads background requests so upstreams do not see bursts from one lookup
  // and slots freed by fast answers are reused before the next batch.
  staggerMs: 50,
  // Long enough for a slow upstream across an ocean and a TCP/TLS handshake,
  // short enough that `ctx.waitUntil` work and the pool write finish promptly
  // (at most MAX_DEADLINE_MS).
  deadlineMs: 3000,
  // Workers allow 6 simultaneous connections per invocation, shared with the
  // Cache API and the Durable Object call; 4 leaves those two free.
  maxInflight: 4,
};

/**
 * Problems with a settings object, one sentence each, naming the setting; empty
 * when the settings are usable. The config layer calls this to fail loudly.
 */
export function fanoutSettingsProblems(settings: FanoutSettings): string[] {
  const problems: string[] = [];
  if (!FANOUT_MODES.includes(settings.mode)) {
    problems.push(`mode must be one of ${FANOUT_MODES.join(', ')}, got ${String(settings.mode)}`);
  }
  for (const key of ['activeTierSize', 'batchSize', 'maxInflight'] as const) {
    const value = settings[key];
    if (!Number.isInteger(value) || value < 1) {
      problems.push(`${key} must be an integer >= 1, got ${value}`);
    }
  }
  for (const key of ['fallbackMs', 'staggerMs', 'deadlineMs'] as const) {
    const value = settings[key];
    if (!Number.isFinite(value) || value < 0) {
      problems.push(`${key} must be a finite number of ms >= 0, got ${value}`);
    }
  }
  if (settings.deadlineMs > MAX_DEADLINE_MS) {
    problems.push(
      `deadlineMs must not exceed ${MAX_DEADLINE_MS} (the pool write and cache put must fit in waitUntil's ${WAIT_UNTIL_MS} ms), got ${settings.deadlineMs}`,
    );
  }
  if (settings.mode === 'tiered' && settings.activeTierSize > settings.maxInflight) {
    problems.push(
      `activeTierSize (${settings.activeTierSize}) must not exceed maxInflight (${settings.maxInflight})`,
    );
  }
  return problems;
}
