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
 */
import { DurableObject } from 'cloudflare:workers';
import type { DnsRecord } from '../dns/codec';
import { canonicalData } from './canonical-data';
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
  readonly updatedAt: string;
}

interface PoolRow extends Record<string, SqlStorageValue> {
  name: string;
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
   * Compare-and-write (docs/architecture.md §4). Lower version: rejected, counted, state
   * otherwise unchanged. Equal: merged. Higher: accepted with the previous
   * pool's unexpired records kept in their order. Always returns the
   * current version so the caller's clock can move past it.
   */
  write(request: PoolWriteRequest): PoolWriteResult {
    const now = Date.now();
    const current = this.#load(request.type);
    const outcome = applyPoolWrite(current, request.write, now);
    this.#createTable();
    this.ctx.storage.sql.exec(
      `INSERT INTO pools (qtype, name, state) VALUES (?, ?, ?)
       ON CONFLICT (qtype) DO UPDATE SET state = excluded.state`,
      request.type,
      request.name,
      serializePoolState(outcome.state),
    );
    return {
      status: outcome.status,
      ...(outcome.reason ? { reason: outcome.reason } : {}),
      ...snapshot(outcome.state, now),
    };
  }

  /** The pool as it is served now, or null when this type was never written. */
  read(type: string): PoolSnapshot | null {
    const state = this.#load(type);
    return state ? snapshot(state, Date.now()) : null;
  }

  /** The admin view of one type's pool, or null when it was never written. */
  inspect(type: string): PoolView | null {
    const row = this.#row(type);
    if (!row) return null;
    const state = deserializePoolState(row.state);
    const now = Date.now();
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
      updatedAt: new Date(state.updatedAt).toISOString(),
    };
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

  #load(type: string): PoolState | null {
    const row = this.#row(type);
    return row ? deserializePoolState(row.state) : null;
  }
}

function snapshot(state: PoolState, now: number): PoolSnapshot {
  return {
    version: state.version,
    records: servedRecords(state, now),
    negative: servedNegative(state, now),
  };
}
