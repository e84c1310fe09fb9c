/**
 * Pool-write time with one blackholed upstream among five (issue figure):
 * the time from a miss being sent until its query log line appears, which
 * the worker writes after the pool write. One wrangler dev, 20 sequential
 * misses, default tier settings; the third upstream never answers.
 *
 * npm run measure:blackhole   (BENCH_SOURCE=<commit> for an older commit)
 */
import { queryA, uniqueName } from '../bench/lib/doh-client';
import { percentile } from '../bench/lib/stats';
import {
  type DecideBehaviour,
  healthyBehaviour,
  startUpstreamSim,
  wallClock,
} from '../bench/lib/upstream-sim';
import { bundleResolver, resolverSource, startResolver } from '../bench/lib/worker-process';

const FLEET = [
  { name: 'u1', transport: 'http', delayMs: 10, addresses: ['198.51.100.1'] },
  { name: 'u2', transport: 'tcp', delayMs: 20, addresses: ['198.51.100.2'] },
  { name: 'u3', transport: 'http', delayMs: 30, addresses: ['198.51.100.3'] },
  { name: 'u4', transport: 'tcp', delayMs: 40, addresses: ['198.51.100.4'] },
  { name: 'u5', transport: 'http', delayMs: 50, addresses: ['198.51.100.5'] },
] as const;
const BLACKHOLED = 'u3';
const LOOKUPS = Number(process.env.MEASURE_LOOKUPS ?? 20);
/** Longer than the 3 s deadline plus the pool write. */
const LOG_WAIT_MS = 6_000;

const say = (text = '') => process.stdout.write(`${text}\n`);

const blackhole: DecideBehaviour = (upstream, name, arrival) =>
  upstream.name === BLACKHOLED
    ? { delayMs: 0, failure: 'hang' }
    : healthyBehaviour(upstream, name, arrival);

async function main(): Promise<void> {
  const bundle = await bundleResolver(resolverSource(process.env.BENCH_SOURCE));
  const sim = await startUpstreamSim(FLEET);
  sim.setBehaviour(blackhole);
  const worker = await startResolver(bundle, {
    vars: {
      UPSTREAMS: sim.upstreamsValue,
      FANOUT_MODE: 'tiered',
      ALLOW_LOOPBACK_UPSTREAMS: 'true',
    },
  });
  const writeMs: number[] = [];
  const clientMs: number[] = [];
  let askedBlackholed = 0;
  try {
    for (let i = 0; i < LOOKUPS; i++) {
      const name = uniqueName('blackhole');
      const sentAt = wallClock();
      const answer = await queryA(worker.origin, name);
      const log = await worker.waitForLog(name, LOG_WAIT_MS);
      if (log === null) throw new Error(`no query log for ${name}`);
      writeMs.push(wallClock() - sentAt);
      clientMs.push(answer.latencyMs);
      if (sim.requests(name).some((r) => r.upstream === BLACKHOLED)) askedBlackholed++;
    }
  } finally {
    await worker.stop();
    await sim.close();
    await bundle.dispose();
  }
  const fmt = (values: number[], p: number) => percentile(values, p).toFixed(0);
  say(
    `resolver ${bundle.revision}, ${LOOKUPS} misses, ${BLACKHOLED} blackholed of ${FLEET.length}`,
  );
  say(
    `pool written after (ms): p50 ${fmt(writeMs, 50)}, p95 ${fmt(writeMs, 95)}, max ${fmt(writeMs, 100)}`,
  );
  say(`per miss: ${writeMs.map((v) => v.toFixed(0)).join(' ')}`);
  say(`client latency (ms): p50 ${fmt(clientMs, 50)}, max ${fmt(clientMs, 100)}`);
  say(`misses that asked ${BLACKHOLED}: ${askedBlackholed} of ${LOOKUPS}`);
}

await main();
