/**
 * The isolate's running check of tenant upstream host names (docs/operations.md §2): a
 * config passed the address check when it was written, but DNS changes.
 * Before a tenant's first query in an isolate its host names are resolved
 * (the query waits), and every RECHECK_MS afterwards they are resolved again
 * in the background; a host that now resolves to a refused address (or not
 * at all) is out of service until a later check passes, with one log line
 * each way. A cache of the truth, per isolate, bounded.
 */
import type { Clock } from '../upstream/clock';
import type { Upstream } from '../upstream/types';
import {
  addressesProblem,
  type HostAddresses,
  type HostCheckOptions,
  type HostLookup,
  hostToResolve,
} from './upstream-host-check';

/**
 * Five minutes: a name that starts resolving to a private address is out of
 * service within this (plus DNS TTLs), at the cost of two lookups per host
 * per isolate per period, most of them answered from the resolver's cache.
 */
export const RECHECK_MS = 5 * 60_000;

/** A host whose lookup failed is tried again sooner: it is out of service meanwhile. */
export const UNRESOLVED_RECHECK_MS = 30_000;

/** Distinct host names remembered per isolate; the least recently checked is forgotten first. */
export const MAX_SCREENED_HOSTS = 1_000;

interface HostState {
  /** Null: in service. */
  problem: string | null;
  /** False until the first check finished: until then the host is not trusted. */
  settled: boolean;
  /** When the next check is due. */
  due: number;
  /** A check in progress, shared by everyone who needs it. */
  running: Promise<void> | undefined;
}

export interface ScreenContext {
  readonly lookup: HostLookup;
  /** Keeps a background re-check alive after the response (`ctx.waitUntil`). */
  readonly waitUntil: (work: Promise<unknown>) => void;
  /** For the log line: which tenant's upstream changed state. */
  readonly tenant: string;
}

export type ScreenLog = (entry: Record<string, unknown>) => void;

export class UpstreamScreen {
  readonly #hosts = new Map<string, HostState>();

  constructor(
    private readonly clock: Pick<Clock, 'now'>,
    private readonly options: HostCheckOptions,
    private readonly log: ScreenLog = defaultLog,
    private readonly maxHosts: number = MAX_SCREENED_HOSTS,
  ) {}

  /**
   * The names of `upstreams` that are out of service now. Hosts never checked
   * in this isolate are checked first (awaited); hosts due for a re-check are
   * re-checked in the background and keep their current state meanwhile.
   */
  async outOfService(upstreams: readonly Upstream[], context: ScreenContext): Promise<string[]> {
    const now = this.clock.now();
    const first: Promise<void>[] = [];
    for (const upstream of upstreams) {
      const host = hostToResolve(upstream);
      if (host === null) continue;
      const state = this.#hosts.get(host);
      if (state === undefined || !state.settled) {
        first.push(this.#check(host, context, upstream.name));
      } else if (state.due <= now && state.running === undefined) {
        context.waitUntil(this.#check(host, context, upstream.name));
      }
    }
    await Promise.all(first);
    return upstreams.flatMap((upstream) => {
      const host = hostToResolve(upstream);
      const problem = host === null ? null : (this.#hosts.get(host)?.problem ?? null);
      return problem === null ? [] : [upstream.name];
    });
  }

  #check(host: string, context: ScreenContext, upstream: string): Promise<void> {
    const state = this.#hosts.get(host) ?? this.#add(host);
    if (state.running !== undefined) return state.running;
    const running = context
      .lookup(host)
      .catch((error: unknown): HostAddresses => ({ ok: false, reason: String(error) }))
      .then((found) => {
        const problem = addressesProblem(host, found, this.options);
        // A host's first check counts as leaving service when it fails: one line either way.
        const wasInService = !state.settled || state.problem === null;
        if (problem !== null && wasInService) {
          this.log({
            event: 'upstream-out-of-service',
            tenant: context.tenant,
            upstream,
            host,
            problem,
          });
        } else if (problem === null && !wasInService) {
          this.log({ event: 'upstream-back-in-service', tenant: context.tenant, upstream, host });
        }
        state.problem = problem;
        state.settled = true;
        state.due = this.clock.now() + (found.ok ? RECHECK_MS : UNRESOLVED_RECHECK_MS);
        state.running = undefined;
      });
    state.running = running;
    return running;
  }

  #add(host: string): HostState {
    const state: HostState = { problem: null, settled: false, due: 0, running: undefined };
    this.#hosts.set(host, state);
    while (this.#hosts.size > this.maxHosts) {
      const oldest = this.#hosts.keys().next();
      if (oldest.done === true) break;
      this.#hosts.delete(oldest.value);
    }
    return state;
  }
}

function defaultLog(entry: Record<string, unknown>): void {
  console.warn(JSON.stringify(entry));
}
