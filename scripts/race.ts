/**
 * `npm run race`: the docs/architecture.md §4 race, for real, through `wrangler dev`.
 *
 * Query A starts and is answered fast, but its background tier is slow.
 * Its cache entry expires (TTL 2 s). Query B starts later; its background is
 * fast and writes first. A's background finishes last: its write must be
 * rejected, B's pool must stay, and the next client must get B's pool in
 * B's order. Prints both traces, the pool as the admin API shows it, and the
 * next client's answer; exits non-zero if any of that does not hold.
 *
 * Loopback only; everything started is stopped by PID.
 */
import { queryA, uniqueName } from '../bench/lib/doh-client';
import {
  type DecideBehaviour,
  type SimUpstreamSpec,
  startUpstreamSim,
} from '../bench/lib/upstream-sim';
import { bundleResolver, startWorker } from '../bench/lib/worker-process';

/** Short enough that A's entry expires while A's background tier is still out. */
const TTL_S = 2;
/** A's background upstreams answer after B has started (> TTL) and written (~ +100 ms). */
const A_BACKGROUND_MS = 3_000;
/** Ask B just after A's entry expired. */
const B_AT_MS = TTL_S * 1000 + 200;
/** The deadline must outlast A's slow background tier. */
const DEADLINE_MS = 10_000;
/** At least 32 characters: the worker refuses admin routes with a shorter ADMIN_TOKEN. */
const ADMIN_TOKEN = 'race-admin-token-for-the-local-race-run';

const FLEET: readonly SimUpstreamSpec[] = [
  { name: 'u1', transport: 'http', delayMs: 10, addresses: ['198.51.100.1'], ttl: TTL_S },
  { name: 'u2', transport: 'tcp', delayMs: 20, addresses: ['198.51.100.2'], ttl: TTL_S },
  { name: 'u3', transport: 'http', delayMs: 30, addresses: ['198.51.100.3'], ttl: TTL_S },
  { name: 'u4', transport: 'tcp', delayMs: 40, addresses: ['198.51.100.4'], ttl: TTL_S },
  { name: 'u5', transport: 'http', delayMs: 50, addresses: ['198.51.100.5'], ttl: TTL_S },
];
/** The first five arrivals for the name are A's (one per upstream), the next five B's. */
const A_ARRIVALS = FLEET.length;
/** A's active tier (the first two arrivals) is fast; the rest of A is slow. */
const ACTIVE_TIER = 2;

interface PoolView {
  version: string;
  records: Array<{ data: string; sources: string[]; expiresAt: string }>;
  rejectedWrites: number;
}

interface TraceView {
  startedAt: string;
  winner: string | null;
  attempts: Array<{ upstream: string; tier: string; start: number; end: number; outcome: string }>;
  write: string | null;
  version: string;
  poolVersion: string | null;
}

const say = (text = '') => process.stdout.write(`${text}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const bundle = await bundleResolver(
    process.env.BENCH_SOURCE === 'worktree' ? 'worktree' : 'head',
  );
  const sim = await startUpstreamSim(FLEET);
  const raceBehaviour: DecideBehaviour = (upstream, _name, arrival) => ({
    delayMs: arrival >= ACTIVE_TIER && arrival < A_ARRIVALS ? A_BACKGROUND_MS : upstream.delayMs,
    failure: 'none',
  });
  sim.setBehaviour(raceBehaviour);
  const worker = await startWorker({
    config: bundle.config,
    noBundle: true,
    vars: {
      UPSTREAMS: sim.upstreamsValue,
      ALLOW_LOOPBACK_UPSTREAMS: 'true',
      DEADLINE_MS: String(DEADLINE_MS),
      ADMIN_TOKEN,
    },
  });
  let failed = false;
  const check = (ok: boolean, what: string) => {
    say(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failed = true;
  };
  try {
    const name = uniqueName('race');
    const admin = async <T>(path: string): Promise<T> => {
      const response = await fetch(`${worker.origin}${path}`, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return (await response.json()) as T;
    };
    say(`Race on ${name} (TTL ${TTL_S} s, A's background ${A_BACKGROUND_MS} ms)\n`);

    const start = Date.now();
    const a = await queryA(worker.origin, name);
    say(`t=${Date.now() - start} ms  A answered (${a.cache}): ${a.addresses.join(', ')}`);
    await sleep(B_AT_MS - (Date.now() - start));
    const b = await queryA(worker.origin, name);
    say(`t=${Date.now() - start} ms  B answered (${b.cache}): ${b.addresses.join(', ')}`);

    // Wait until both fan-outs have written (A's last).
    let traces: TraceView[] = [];
    for (let waited = 0; waited < DEADLINE_MS; waited += 100) {
      traces = (await admin<{ traces: TraceView[] }>(`/admin/traces?name=${name}`)).traces;
      if (traces.length >= 2 && traces.every((t) => t.write !== null)) break;
      await sleep(100);
    }
    say(`t=${Date.now() - start} ms  both background tiers done\n`);
    const byStart = [...traces].sort((x, y) => x.startedAt.localeCompare(y.startedAt));
    for (const [label, trace] of byStart.map((t, i) => [i === 0 ? 'A' : 'B', t] as const)) {
      say(
        `${label}: started ${trace.startedAt}, version ${trace.version}, pool write ${trace.write} (pool now at ${trace.poolVersion})`,
      );
      for (const u of trace.attempts) {
        say(
          `     ${u.upstream} ${u.tier.padEnd(10)} ${String(u.start).padStart(5)}–${String(u.end).padEnd(5)} ms ${u.outcome}`,
        );
      }
    }

    const pool = await admin<PoolView>(`/admin/pools/${name}/A`);
    say(`\nPool (admin API): version ${pool.version}, rejectedWrites ${pool.rejectedWrites}`);
    for (const r of pool.records) say(`     ${r.data.padEnd(14)} from ${r.sources.join(', ')}`);

    const c = await queryA(worker.origin, name);
    say(`\nNext client (${c.cache}): ${c.addresses.join(', ')}\n`);

    const [traceA, traceB] = byStart;
    check(traces.length === 2, 'two fan-outs ran (A and B)');
    check(traceB?.write === 'accepted', "B's write was accepted");
    check(traceA?.write === 'rejected', "A's late write was rejected");
    check(pool.rejectedWrites === 1, 'the pool counted exactly one rejected write');
    check(pool.version === traceB?.version, "the pool holds B's version");
    check(
      traceA !== undefined && traceB !== undefined && traceA.version < traceB.version,
      "A's version is older than B's (versions are fixed-width, so text order is version order)",
    );
    check(
      c.addresses.join() === pool.records.map((r) => r.data).join(),
      "the next client gets the pool in the pool's order",
    );
  } finally {
    await worker.stop();
    await sim.close();
    await bundle.dispose();
  }
  if (failed) process.exitCode = 1;
}

await main();
