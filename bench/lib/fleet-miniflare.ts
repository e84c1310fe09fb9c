/**
 * A simulated fleet for the fleet bench (docs/architecture.md §4): K colos in
 * one Miniflare session, all bound to one DomainPool namespace.
 *
 * Each colo is a worker of its own, so workerd gives it its own isolate (its
 * own memory and health) and, through SIMULATED_COLO, its own Cache API
 * namespace. One more worker, `pool`, hosts the DomainPool class and serves
 * no clients: the objects do not share an isolate with any colo, as in
 * production. Every worker runs the same bundle (bundleResolver), so a bench
 * measures one commit. Each colo listens on its own loopback port.
 *
 * Not `wrangler dev`: one process per colo cannot share live Durable Objects,
 * and vars (SIMULATED_COLO) are per worker, not per request.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { convertV4MiniflareOptions, Miniflare, type V4WorkerOptionsShape } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';
import type { QueryLog } from '../../src/observability/query-log';
import type { WorkerBundle } from './worker-process';

export interface FleetColo {
  /** The SIMULATED_COLO value: `<variant>-c0` … */
  readonly name: string;
  readonly variant: string;
  readonly origin: string;
}

/** Durable Object storage of the DomainPool class, read from Miniflare's persist directory. */
export interface PoolStorage {
  /** Objects with an SQLite file (workerd may create one for an object that only read). */
  readonly files: number;
  /** Objects whose file holds at least one row of the pool's own tables: storage left behind. */
  readonly objectsWithRows: number;
  readonly rows: number;
}

export interface Fleet {
  readonly colos: readonly FleetColo[];
  /**
   * The query log lines written for `name` so far, any colo. A fan-out's
   * line is written after its pool write returned (docs/operations.md §5).
   */
  queryLogs(name: string): readonly QueryLog[];
  /** Waits until `name` has `count` query log lines; false when `timeoutMs` passed first. */
  waitForQueryLogs(name: string, count: number, timeoutMs: number): Promise<boolean>;
  /** Error-level lines the workers logged (the last few, for diagnosis) and how many. */
  readonly errors: { count: number; last: string[] };
  /** Stops the fleet and reads what the pool objects left on disk. */
  stopAndCountStorage(): Promise<PoolStorage>;
  stop(): Promise<void>;
}

/**
 * A group of K colos with settings of their own (lease on or off, pool
 * latency). Several variants in one session run side by side on the same
 * machine load and share the pool host; they ask different names.
 */
export interface FleetVariant {
  /** Lower-case letters and digits: part of the colo names. */
  readonly name: string;
  readonly vars: Readonly<Record<string, string>>;
}

export interface FleetOptions {
  /** Colos per variant. */
  readonly colos: number;
  readonly variants: readonly FleetVariant[];
  /** Vars on top of the bundle's wrangler.toml, for every worker. */
  readonly vars: Readonly<Record<string, string>>;
}

const POOL_HOST = 'pool';
const POOL_CLASS = 'DomainPool';
/** Durable Object storage is one SQLite file per object: keep it off the disk (as worker-process). */
const STATE_ROOT = '/dev/shm';
const KEPT_ERRORS = 5;

export async function startFleet(bundle: WorkerBundle, options: FleetOptions): Promise<Fleet> {
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(bundle.config);
  if (main === undefined) throw new Error(`${bundle.config} names no main module`);
  const root = join(main, '..');
  const persist = await mkdtemp(join(STATE_ROOT, 'resolver-fleet-'));
  // The bindings of wrangler.toml, nothing else: the bundle is one module, and
  // Miniflare refuses some of wrangler's other options (module rules). The
  // cast: wrangler's type is an Omit<> of a type with an index signature,
  // which loses every named key; the value is Miniflare's own shape.
  const {
    compatibilityDate,
    compatibilityFlags,
    bindings: tomlVars,
    kvNamespaces,
    ratelimits,
    analyticsEngineDatasets,
  } = workerOptions as V4WorkerOptionsShape;
  const base = {
    compatibilityDate,
    compatibilityFlags,
    kvNamespaces,
    ratelimits,
    analyticsEngineDatasets,
    modules: true,
    scriptPath: main,
    // workerd refuses module paths that climb out of its working directory.
    modulesRoot: root,
    // The bench sends one client address per request (doh-client): keep it.
    stripCfConnectingIp: false,
  };
  const bindings = { ...tomlVars, ...options.vars };
  const colos = options.variants.flatMap((variant) =>
    Array.from({ length: options.colos }, (_, k) => ({
      name: `${variant.name}-c${k}`,
      variant,
    })),
  );
  const workers = [
    {
      ...base,
      name: POOL_HOST,
      bindings,
      durableObjects: { DOMAIN_POOL: { className: POOL_CLASS, useSQLite: true } },
    },
    ...colos.map((colo) => ({
      ...base,
      name: colo.name,
      bindings: { ...bindings, ...colo.variant.vars, SIMULATED_COLO: colo.name },
      durableObjects: {
        DOMAIN_POOL: { className: POOL_CLASS, scriptName: POOL_HOST, useSQLite: true },
      },
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
    })),
  ];
  const errors = { count: 0, last: [] as string[] };
  const logs = new Map<string, QueryLog[]>();
  const waiters = new Set<() => void>();
  const onQueryLog = (message: string) => {
    const start = message.indexOf('{"event":"query"');
    if (start < 0) return;
    let line: QueryLog;
    try {
      line = JSON.parse(message.slice(start)) as QueryLog;
    } catch {
      return;
    }
    const name = normalName(line.name);
    logs.set(name, [...(logs.get(name) ?? []), line]);
    for (const wake of waiters) wake();
  };
  let miniflare: Miniflare;
  try {
    miniflare = new Miniflare(
      convertV4MiniflareOptions({
        workers,
        resourcePersistencePath: persist,
        // No download of the `request.cf` data: the bench runs offline.
        cf: {},
        handleStructuredLogs: (log) => {
          onQueryLog(log.message);
          if (log.level !== 'error') return;
          errors.count++;
          errors.last.push(log.message.slice(0, 300));
          if (errors.last.length > KEPT_ERRORS) errors.last.shift();
        },
      }),
    );
  } catch (error) {
    // Options Miniflare refuses: nothing started, but the directory exists.
    await rm(persist, { recursive: true, force: true });
    throw error;
  }
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await miniflare.dispose();
  };
  try {
    await miniflare.ready;
    const started = await Promise.all(
      colos.map(async (colo) => ({
        name: colo.name,
        variant: colo.variant.name,
        origin: (await miniflare.unsafeGetDirectURL(colo.name)).origin,
      })),
    );
    return {
      colos: started,
      queryLogs: (name) => logs.get(normalName(name)) ?? [],
      waitForQueryLogs: (name, count, timeoutMs) =>
        new Promise((done) => {
          const key = normalName(name);
          const check = () => {
            if ((logs.get(key)?.length ?? 0) < count) return false;
            finish(true);
            return true;
          };
          const finish = (result: boolean) => {
            clearTimeout(timer);
            waiters.delete(check);
            done(result);
          };
          const timer = setTimeout(() => finish(false), timeoutMs);
          if (!check()) waiters.add(check);
        }),
      errors,
      stop: async () => {
        await stop();
        await rm(persist, { recursive: true, force: true });
      },
      stopAndCountStorage: async () => {
        await stop();
        try {
          return await countPoolStorage(join(persist, 'do', `${POOL_HOST}-${POOL_CLASS}`));
        } finally {
          await rm(persist, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    await rm(persist, { recursive: true, force: true });
    throw error;
  }
}

/** Names as the log writes them and the bench asks them: lower case, no root dot. */
function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/**
 * Rows in each object's own tables: not SQLite's (`sqlite_`) nor workerd's
 * (`_cf_`, where the alarm time lives). An object after `deleteAll()` keeps
 * an empty file, so files alone would overcount.
 */
async function countPoolStorage(directory: string): Promise<PoolStorage> {
  let names: string[];
  try {
    names = await readdir(directory);
  } catch {
    return { files: 0, objectsWithRows: 0, rows: 0 };
  }
  const files = names.filter((f) => f.endsWith('.sqlite') && f !== 'metadata.sqlite');
  let objectsWithRows = 0;
  let rows = 0;
  for (const file of files) {
    const db = new DatabaseSync(join(directory, file), { readOnly: true });
    try {
      const tables = db
        .prepare(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\'",
        )
        .all()
        .map((row) => String(row.name));
      let own = 0;
      for (const table of tables) {
        const count = db.prepare(`SELECT count(*) AS n FROM "${table}"`).get();
        own += Number(count?.n ?? 0);
      }
      rows += own;
      if (own > 0) objectsWithRows++;
    } finally {
      db.close();
    }
  }
  return { files: files.length, objectsWithRows, rows };
}
