/**
 * The last lookups of this isolate as fan-out traces (docs/operations.md §5): who was
 * asked when, who answered, what the merge and the pool write made of it.
 * A ring buffer: memory stays fixed however busy the isolate is.
 */

import { generationOf } from '../tenants/tenant-scope';
import { contributions, type Lookup, tenantOf, type WriteOutcome } from './lookup';
import { attemptLog } from './query-log';

/** Enough to find a lookup someone just made; a trace is ~1 KB with ten upstreams. */
export const TRACE_CAPACITY = 200;

export interface TraceAttempt {
  readonly upstream: string;
  readonly tier: 'active' | 'background';
  /** ms since the fan-out started. */
  readonly startMs: number;
  readonly endMs: number;
  /** `ok`, or the failure kind (`rcode:SERVFAIL` with the RCODE). */
  readonly outcome: string;
  /** Why it failed, in the transport's words (`connect failed: …`); null for `ok`. */
  readonly reason: string | null;
  /** Merged records this upstream returned. */
  readonly records: number;
}

export interface Trace {
  readonly id: string;
  readonly tenant: string;
  /** The tenant's generation (tenant-scope.ts); null for the default tenant. */
  readonly generation: string | null;
  readonly name: string;
  readonly type: string;
  /** When the fan-out started, ISO 8601. */
  readonly startedAt: string;
  /**
   * ms since the start when the first usable answer arrived: the moment the
   * waiting clients got it. Null when no upstream answered usably.
   */
  readonly answeredAtMs: number | null;
  readonly winner: string | null;
  /** In start order. */
  readonly attempts: readonly TraceAttempt[];
  readonly notStarted: readonly string[];
  readonly mergeSize: number;
  readonly write: WriteOutcome | null;
  /** The query's own version (when it started). */
  readonly version: string;
  /** The pool's version after the write; null when nothing was written. */
  readonly poolVersion: string | null;
}

export interface TraceFilter {
  readonly tenant?: string;
  /** With `tenant`: only this generation, so a re-created tenant never sees the old one's traces. */
  readonly generation?: string | null;
  readonly name?: string;
}

export class TraceStore {
  private readonly ring: (Trace | undefined)[];
  /** Where the next trace goes; also the oldest trace once the ring is full. */
  private next = 0;

  constructor(readonly capacity = TRACE_CAPACITY) {
    this.ring = new Array<Trace | undefined>(capacity);
  }

  /** Stores the lookup as a trace, replacing the oldest when full, and returns it. */
  add(lookup: Lookup): Trace {
    const trace = toTrace(lookup, newTraceId());
    this.ring[this.next] = trace;
    this.next = (this.next + 1) % this.capacity;
    return trace;
  }

  /** Newest first. `name` matches without case or a trailing dot. */
  list(filter: TraceFilter = {}): Trace[] {
    const name = filter.name === undefined ? undefined : normalizeName(filter.name);
    const traces: Trace[] = [];
    for (let i = 1; i <= this.capacity; i++) {
      const trace = this.ring[(this.next - i + this.capacity) % this.capacity];
      if (trace === undefined) break;
      if (filter.tenant !== undefined && trace.tenant !== filter.tenant) continue;
      if (filter.generation !== undefined && trace.generation !== filter.generation) continue;
      if (name !== undefined && trace.name !== name) continue;
      traces.push(trace);
    }
    return traces;
  }

  get(id: string): Trace | undefined {
    return this.ring.find((trace) => trace?.id === id);
  }
}

function toTrace(lookup: Lookup, id: string): Trace {
  const { report } = lookup;
  const records = contributions(lookup.records);
  return {
    id,
    tenant: tenantOf(lookup.scope),
    generation: generationOf(lookup.scope),
    name: normalizeName(lookup.name),
    type: lookup.type,
    startedAt: new Date(report.startedAt).toISOString(),
    answeredAtMs: report.winner?.endedAt ?? null,
    winner: report.winner?.upstream.name ?? null,
    attempts: report.attempts.map((attempt) => {
      const { upstream, tier, start, end, outcome } = attemptLog(attempt);
      return {
        upstream,
        tier,
        startMs: start,
        endMs: end,
        outcome,
        reason: attempt.result.ok ? null : attempt.result.failure.message,
        records: records.get(attempt.upstream.name) ?? 0,
      };
    }),
    notStarted: report.notStarted.map((u) => u.name),
    mergeSize: lookup.records.length,
    write: lookup.write ?? null,
    version: lookup.version,
    poolVersion: lookup.poolVersion ?? null,
  };
}

function normalizeName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * 16 random hex digits: unguessable enough for a link, short enough to type.
 * Called per lookup only: workerd refuses random values in global scope.
 */
function newTraceId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}
