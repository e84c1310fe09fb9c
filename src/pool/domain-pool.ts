/**
 * DomainPool: one Durable Object per (tenant, domain name), holding the merged
 * pool of every query type asked for that name.
 *
 * Why this state needs a Durable Object: writes come from many isolates in
 * many colos, each finishing its background tier at its own pace. Only a
 * single-threaded owner can order them, reject the ones from older queries
 * (docs/architecture.md §4 race), and keep one stable address order that every client sees.
 *
 * Every write runs read-compare-apply-store in one synchronous turn over
 * `ctx.storage.sql` with no `await` in between, so no other write can
 * interleave. The object does no network I/O.
 *
 * It also decides who runs a name's background sweep (sweep-lease.ts), and
 * keeps its storage bounded: negative answers alone create none, each
 * RRset is capped (pool-update.ts), and an alarm removes what is past the
 * stale window (pool-retention.ts).
 */
import { DurableObject } from 'cloudflare:workers';
import type { DnsRecord } from '../dns/codec';
import { canonicalData } from './canonical-data';
import { retainedUntil } from './pool-retention';
import { deserializePoolState, serializePoolState } from './pool-state-json';
import {
  applyPoolWrite,
  type PoolState,
  type PoolWrite,
  type RejectReason,
  type ServedRecord,
  servedNegative,
  servedRecords,
  type WriteStatus,
} from './pool-update';
import { formatVersion, type QueryVersion } from './query-version';
import { leaseAfterWrite, NO_SWEEP_LEASE, openSweep, type SweepLease } from './sweep-lease';

export interface PoolWriteRequest {
  readonly name: string;
  readonly type: string;
  readonly write: PoolWrite;
}

/** What the pool serves right now, plus the version the isolate must move past. */
export interface PoolSnapshot {
  readonly version: QueryVersion;
  readonly records: ServedRecord[];
  readonly negative: { rcode: string; soa: DnsRecord; ttl: number } | null;
}

export interface PoolWriteResult extends PoolSnapshot {
  readonly status: WriteStatus;
  readonly reason?: RejectReason;
}

export interface PoolOpenRequest {
  readonly type: string;
  /** How long the sweep may be held if granted: the isolate's deadline. */
  readonly leaseMs: number;
}

/** What an isolate that missed learns from the pool in one call. */
export interface PoolOpening {
  /** What `read(type)` returns: null when nothing is stored for this type. */
  readonly snapshot: PoolSnapshot | null;
  /** True: this isolate is granted the background sweep for `leaseMs`. False: skip it. */
  readonly sweep: boolean;
}

/** Admin view (docs/architecture.md §4): records in served order with sources and expiries. */
export interface PoolView {
  readonly name: string;
  readonly type: string;
  readonly version: string;
  readonly records: Array<{
    data: string;
    ttl: number;
    expiresAt: string;
    sources: string[];
  }>;
  readonly negative: { rcode: string; ttl: number } | null;
  readonly rejectedWrites: number;
  /** New records left out because their RRset was full (MAX_POOL_RECORDS_PER_RRSET). */
  readonly droppedRecords: number;
  /** Until when the last completed sweep stands (null: none stands), and the current lease. */
  readonly sweptUntil: string | null;
  readonly leaseUntil: string | null;
  readonly updatedAt: string;
}

interface PoolRow extends Record<string, SqlStorageValue> {
  name: string;
  state: string;
}

interface StoredRow extends Record<string, SqlStorageValue> {
  qtype: string;
  state: string;
}

export class DomainPool extends DurableObject<Env> {
  /**
   * Whether the `pools` table exists. It is created by the first write, not
   * in the constructor: creating it there gave every object that was only
   * read or inspected (any made-up name an admin asks about) storage of its own.
   */
  #hasTable = false;

  /**
   * Sweep leases of types with no stored row. A lease is asked for on every
   * miss, also for names that never get a pool (random NXDOMAIN names), so
   * storing it would create the storage negative answers must not create.
   * In memory it is lost when the object is evicted, which costs at most one
   * extra sweep. Only `leaseUntil` is kept: a sweptUntil means nothing
   * without a fresh pool to cover.
   */
  readonly #unstoredLeases = new Map<string, number>();

  /**
   * The object's clock. A seam for tests, which replace it through
   * runInDurableObject to reach an expiry or a stale window without waiting;
   * an instance property, so it is not callable over RPC.
   */
  now: () => number = () => Date.now();

  /**
   * Compare-and-write (docs/architecture.md §4). Lower version: rejected, counted, state
   * otherwise unchanged. Equal: merged. Higher: accepted with the previous
   * pool's unexpired records kept in their order. Always returns the
   * current version so the caller's clock can move past it.
   *
   * A write that leaves no records in a type with no stored row (NXDOMAIN,
   * NODATA) stores nothing: its snapshot is returned for the isolate to
   * serve and cache, but a flood of made-up names leaves no storage behind.
   */
  async write(request: PoolWriteRequest): Promise<PoolWriteResult> {
    const now = this.now();
    const { type } = request;
    const current = this.#load(type);
    const outcome = applyPoolWrite(current, request.write, now);
    const prior = current?.lease ?? this.#unstoredLease(type, now);
    const lease = leaseAfterWrite(prior, request.write, outcome.status !== 'rejected', now);
    const state: PoolState = { ...outcome.state, lease };
    const result: PoolWriteResult = {
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...snapshot(state, now),
    };
    if (current === null && state.records.length === 0) {
      this.#keepUnstoredLease(type, lease, now);
      return result;
    }
    this.#unstoredLeases.delete(type);
    this.#createTable();
    this.ctx.storage.sql.exec(
      `INSERT INTO pools (qtype, name, state) VALUES (?, ?, ?)
       ON CONFLICT (qtype) DO UPDATE SET state = excluded.state`,
      type,
      request.name,
      serializePoolState(state),
    );
    // After the synchronous compare-and-write: only the alarm time waits here.
    const keepUntil = this.#latestRetention(now);
    if (keepUntil !== null) await this.ctx.storage.setAlarm(keepUntil);
    return result;
  }

  /** The pool as it is served now, or null when this type was never written. */
  read(type: string): PoolSnapshot | null {
    const state = this.#load(type);
    return state ? snapshot(state, this.now()) : null;
  }

  /**
   * The pool as `read` returns it, and whether the caller runs the
   * background sweep (sweep-lease.ts, docs/architecture.md §4). A pool
   * counts as fresh while it serves an unexpired record or negative answer.
   * A granted lease is stored in the type's row when there is one, so it
   * outlives the object's eviction; otherwise it stays in memory.
   */
  open(request: PoolOpenRequest): PoolOpening {
    const now = this.now();
    const { type, leaseMs } = request;
    const current = this.#load(type);
    const served = current ? snapshot(current, now) : null;
    const fresh = served !== null && (served.records.length > 0 || served.negative !== null);
    const prior = current?.lease ?? this.#unstoredLease(type, now);
    const decision = openSweep(prior, fresh, leaseMs, now);
    if (decision.sweep) {
      if (current) {
        this.ctx.storage.sql.exec(
          'UPDATE pools SET state = ? WHERE qtype = ?',
          serializePoolState({ ...current, lease: decision.lease }),
          type,
        );
      } else {
        this.#keepUnstoredLease(type, decision.lease, now);
      }
    }
    return { snapshot: served, sweep: decision.sweep };
  }

  /**
   * Removes the rows that are past their stale window (pool-retention.ts)
   * and, once none is left, all of the object's storage; otherwise
   * re-arms for the next row to run out.
   */
  override async alarm(): Promise<void> {
    const now = this.now();
    if (this.#tableExists()) {
      for (const row of this.#rows()) {
        if (retainedUntil(deserializePoolState(row.state)) <= now) {
          this.ctx.storage.sql.exec('DELETE FROM pools WHERE qtype = ?', row.qtype);
        }
      }
    }
    const keepUntil = this.#latestRetention(now);
    if (keepUntil !== null) {
      await this.ctx.storage.setAlarm(keepUntil);
      return;
    }
    this.#hasTable = false;
    await this.ctx.storage.deleteAll();
  }

  /** The admin view of one type's pool, or null when it was never written. */
  inspect(type: string): PoolView | null {
    const row = this.#row(type);
    if (!row) return null;
    const state = deserializePoolState(row.state);
    const now = this.now();
    const negative = servedNegative(state, now);
    return {
      name: row.name,
      type,
      version: formatVersion(state.version),
      records: state.records
        .filter((entry) => entry.expiresAt > now)
        .map((entry) => ({
          data: canonicalData(entry.type, entry.data),
          ttl: Math.max(0, Math.floor((entry.expiresAt - now) / 1000)),
          expiresAt: new Date(entry.expiresAt).toISOString(),
          sources: entry.sources,
        })),
      negative: negative ? { rcode: negative.rcode, ttl: negative.ttl } : null,
      rejectedWrites: state.rejectedWrites,
      droppedRecords: state.droppedRecords,
      sweptUntil: isoWhileLater(state.lease.sweptUntil, now),
      leaseUntil: isoWhileLater(state.lease.leaseUntil, now),
      updatedAt: new Date(state.updatedAt).toISOString(),
    };
  }

  /** The latest time any stored row is kept until, or null when no row is stored. */
  #latestRetention(now: number): number | null {
    if (!this.#tableExists()) return null;
    let latest: number | null = null;
    for (const row of this.#rows()) {
      const until = retainedUntil(deserializePoolState(row.state));
      latest = latest === null ? until : Math.max(latest, until);
    }
    // An alarm time in the past fires at once; never ask for one before now.
    return latest === null ? null : Math.max(latest, now);
  }

  #unstoredLease(type: string, now: number): SweepLease {
    const leaseUntil = this.#unstoredLeases.get(type) ?? 0;
    return leaseUntil > now ? { ...NO_SWEEP_LEASE, leaseUntil } : NO_SWEEP_LEASE;
  }

  /** Keeps a live lease in memory and forgets dead ones, so the map holds live leases only. */
  #keepUnstoredLease(type: string, lease: SweepLease, now: number): void {
    for (const [held, until] of this.#unstoredLeases) {
      if (until <= now) this.#unstoredLeases.delete(held);
    }
    if (lease.leaseUntil > now) this.#unstoredLeases.set(type, lease.leaseUntil);
    else this.#unstoredLeases.delete(type);
  }

  #createTable(): void {
    if (this.#hasTable) return;
    this.ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS pools (
        qtype TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        state TEXT NOT NULL
      )`,
    );
    this.#hasTable = true;
  }

  /** Reads the schema only, which writes nothing. */
  #tableExists(): boolean {
    if (!this.#hasTable) {
      this.#hasTable =
        this.ctx.storage.sql
          .exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'pools'")
          .toArray().length > 0;
    }
    return this.#hasTable;
  }

  #row(type: string): PoolRow | null {
    if (!this.#tableExists()) return null;
    const rows = this.ctx.storage.sql
      .exec<PoolRow>('SELECT name, state FROM pools WHERE qtype = ?', type)
      .toArray();
    return rows[0] ?? null;
  }

  #rows(): StoredRow[] {
    return this.ctx.storage.sql.exec<StoredRow>('SELECT qtype, state FROM pools').toArray();
  }

  #load(type: string): PoolState | null {
    const row = this.#row(type);
    return row ? deserializePoolState(row.state) : null;
  }
}

function isoWhileLater(time: number, now: number): string | null {
  return time > now ? new Date(time).toISOString() : null;
}

function snapshot(state: PoolState, now: number): PoolSnapshot {
  return {
    version: state.version,
    records: servedRecords(state, now),
    negative: servedNegative(state, now),
  };
}
