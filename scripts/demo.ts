/**
 * `npm run demo`: the tiered fan-out in under a minute, on loopback only.
 * Starts five simulated upstreams (different delays, overlapping address
 * subsets), the resolver under `wrangler dev`, asks a few names, and prints
 * each fan-out timeline from the worker's JSON log line and the merged pool
 * read back after the background tier. Everything started is stopped by PID.
 *
 * BENCH_SOURCE=worktree runs the working tree, BENCH_SOURCE=<commit> an older commit.
 */
import { queryA, uniqueName } from '../bench/lib/doh-client';
import {
  type DecideBehaviour,
  healthyBehaviour,
  type SimUpstreamSpec,
  startUpstreamSim,
} from '../bench/lib/upstream-sim';
import {
  bundleResolver,
  type QueryLogLine,
  resolverSource,
  startResolver,
  type WorkerInstance,
} from '../bench/lib/worker-process';

/** Five upstreams like a real list: two quick, one average, two far away; mixed DoH and TCP. */
const DEMO_FLEET: readonly SimUpstreamSpec[] = [
  { name: 'alpha', transport: 'http', delayMs: 15, addresses: ['198.51.100.1', '198.51.100.2'] },
  { name: 'bravo', transport: 'tcp', delayMs: 35, addresses: ['198.51.100.2', '198.51.100.3'] },
  { name: 'charlie', transport: 'http', delayMs: 60, addresses: ['198.51.100.4'] },
  { name: 'delta', transport: 'tcp', delayMs: 90, addresses: ['198.51.100.4', '198.51.100.5'] },
  { name: 'echo', transport: 'http', delayMs: 140, addresses: ['198.51.100.6'] },
];
/** In the second act the two upstreams asked first answer this late: past the 300 ms fallback timer. */
const SLOW_MS = 600;
const BAR_COLUMNS = 50;
/** Long enough for the background tier (and its pool write) of any lookup here. */
const LOG_WAIT_MS = 4_000;

const say = (text = '') => process.stdout.write(`${text}\n`);

async function main(): Promise<void> {
  const started = Date.now();
  const bundle = await bundleResolver(resolverSource(process.env.BENCH_SOURCE));
  say(`Bundled the resolver at ${bundle.revision}.`);
  const sim = await startUpstreamSim(DEMO_FLEET);
  say('Upstreams on loopback:');
  for (const u of sim.upstreams) {
    say(
      `  ${u.name.padEnd(8)} ${String(u.delayMs).padStart(4)} ms  ${u.addresses.join(', ').padEnd(28)} ${u.url}`,
    );
  }
  const worker = await startResolver(bundle, {
    vars: {
      UPSTREAMS: sim.upstreamsValue,
      FANOUT_MODE: 'tiered',
      ALLOW_LOOPBACK_UPSTREAMS: 'true',
    },
  });
  for (const patch of bundle.patches) say(`(bundle patched to start: ${patch})`);
  say(
    `Resolver: wrangler dev (pid ${worker.pid}) on ${worker.origin}, tiered mode, default tier settings`,
  );
  try {
    say('\n1. A cold isolate ranks upstreams in config order and learns from every miss.');
    for (let i = 0; i < 3; i++) await lookup(worker, sim, `www-${i + 1}`);

    say(
      `\n2. The two upstreams the resolver asks first now take ${SLOW_MS} ms: the fallback timer starts the rest at 300 ms.`,
    );
    const slowActive: DecideBehaviour = (upstream, name, arrival) =>
      arrival < 2
        ? { delayMs: SLOW_MS, failure: 'none' }
        : healthyBehaviour(upstream, name, arrival);
    sim.setBehaviour(slowActive);
    await lookup(worker, sim, 'slow');
    sim.setBehaviour(healthyBehaviour);

    say('\n3. One upstream is dead (connection refused): it fails fast and never wins.');
    await sim.stop('alpha');
    await lookup(worker, sim, 'dead');
  } finally {
    await worker.stop();
    await sim.close();
    await bundle.dispose();
  }
  say(
    `\nStopped wrangler dev (pid ${worker.pid}) and the upstreams. ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  );
}

async function lookup(
  worker: WorkerInstance,
  sim: Awaited<ReturnType<typeof startUpstreamSim>>,
  label: string,
): Promise<void> {
  const name = uniqueName(`${label}.demo`);
  const first = await queryA(worker.origin, name);
  say(`\n  ${name} A`);
  say(
    `  client: ${first.latencyMs.toFixed(0)} ms, cache ${first.cache}, answer ${first.addresses.join(', ') || first.rcode}`,
  );
  say(`  Server-Timing: ${first.serverTiming}`);
  const log = await worker.waitForLog(name, LOG_WAIT_MS);
  if (log) printTimeline(log);
  else say('  (no query log line within the deadline)');
  const before = sim.requests(name).length;
  const again = await queryA(worker.origin, name);
  say(
    `  read back after the background tier: cache ${again.cache}, ${again.addresses.length} addresses: ${again.addresses.join(', ')}` +
      ` (${sim.requests(name).length - before} upstream requests)`,
  );
}

/** The fan-out as text: one bar per upstream on a shared time axis. */
function printTimeline(log: QueryLogLine): void {
  const end = Math.max(1, ...log.upstreams.map((u) => u.end));
  const column = (t: number) => Math.round((t / end) * BAR_COLUMNS);
  say(
    `  fan-out (winner ${log.winner ?? 'none'}, merged ${log.mergeSize} records, pool write ${log.write ?? '–'}):`,
  );
  for (const u of log.upstreams) {
    const from = column(u.start);
    const to = Math.max(from + 1, column(u.end));
    const bar = `${' '.repeat(from)}${(u.outcome === 'ok' ? '█' : '░').repeat(to - from)}`.padEnd(
      BAR_COLUMNS,
    );
    const mark = u.upstream === log.winner ? '  ← answer' : '';
    say(
      `    ${u.upstream.padEnd(8)} ${u.tier.padEnd(10)} |${bar}| ${String(u.start).padStart(4)}–${String(u.end).padEnd(4)} ms ${u.outcome}${mark}`,
    );
  }
  for (const name of log.notStarted) say(`    ${name.padEnd(8)} not asked`);
}

await main();
