/**
 * One cell of the fleet table: M names, each asked once per colo in a random
 * colo order, then once more per colo, against one simulated fleet
 * (fleet-miniflare.ts) and one upstream simulator.
 *
 * Between two colos' first queries the background is given time to land:
 * the next colo asks only once the previous colo's query log line has
 * appeared (written after its fan-out ended and its pool write returned),
 * or, if none comes within the deadline plus a margin, once the upstream
 * simulator has seen nothing for the name for a quiet period (settle); so
 * each colo finds the pool as the previous colos left it. That is "within one TTL,
 * one colo after another", not colos missing the same cold name at the same
 * moment (the sweep lease grants every colo the sweep of a pool that is not
 * fresh yet; docs/architecture.md §4). Names run a few at a time: their
 * upstream counts are per name, so they do not mix.
 */
import { seededRandom, shuffled } from '../../test/support/seeded-random';
import { type DohAnswer, queryA, uniqueName } from './doh-client';
import type { Fleet, FleetColo } from './fleet-miniflare';
import { mean, percentile } from './stats';
import { type UpstreamSim, wallClock } from './upstream-sim';

export interface FleetCellSpec {
  readonly colos: number;
  readonly upstreams: number;
  readonly lease: boolean;
  readonly poolLatencyMs: number;
  readonly names: number;
  readonly seed: number;
}

export interface FleetCellResult extends FleetCellSpec {
  /** Upstream requests per name over the whole cell (both passes). */
  readonly requestsMean: number;
  readonly requestsMax: number;
  /** 2K + (N − 2): every colo's active tier once, one sweep of the rest. */
  readonly target: number;
  /** K × N: every colo sweeping every name. */
  readonly unleashed: number;
  /** Share of second answers holding every address any upstream gave for the name. */
  readonly completeness: number;
  /** Share of names (K > 1) whose second answers were in the identical order in every colo. */
  readonly orderAgreement: number | null;
  /** Client latency of the first query per colo, ms: p50 over all of them. */
  readonly firstP50: number;
  /** The same for the name's very first query in the fleet (nobody had it yet). */
  readonly coldP50: number;
  /** First-query p50 per cache status: `miss` (the active tier answered) apart from `pool`. */
  readonly firstP50ByStatus: Readonly<Record<string, number>>;
  /** Cache status of the first queries (miss, pool, …) and of the second ones (hit, …). */
  readonly firstStatus: Readonly<Record<string, number>>;
  readonly secondStatus: Readonly<Record<string, number>>;
  /** The first queries' sweep decisions (granted, skipped, …) and pool write outcomes, from the query log. */
  readonly sweeps: Readonly<Record<string, number>>;
  readonly writes: Readonly<Record<string, number>>;
  /** How the first queries' upstream attempts ended (query log `outcome`: ok, timeout, …). */
  readonly attempts: Readonly<Record<string, number>>;
  /** How the upstream simulator saw the requests end (answered, aborted, …). */
  readonly upstreamOutcomes: Readonly<Record<string, number>>;
  /** First queries after which no query log line came in time: the quiet rule decided instead. */
  readonly settledByQuiet: number;
  /** Answers that were not NOERROR with addresses: the run is broken, not slow. */
  readonly badAnswers: readonly string[];
  readonly seconds: number;
}

/**
 * Names in flight at once per cell: the three variants of a fleet run side
 * by side, so 6 in all; enough to finish in time, few enough for 2 cores.
 */
const NAME_CONCURRENCY = 2;
/**
 * Idle time at the upstreams that counts as "the background has landed".
 * Batches of the background tier start every STAGGER_MS (50 ms) once their
 * predecessors are answered, and the slowest simulated upstream takes 120 ms,
 * so a 250 ms gap with nothing open is past the sweep; the pool write that
 * follows waits the simulated pool latency (added on top) and a few ms.
 */
export const QUIET_MS = 250;
/** Never wait longer than the fan-out deadline plus this for one settle (a stuck request). */
export const SETTLE_MARGIN_MS = 2_000;

interface Step {
  readonly colo: FleetColo;
  readonly answer: DohAnswer;
}

/** `colos`: the K colos of this cell's variant, in `fleet`. */
export async function runFleetCell(
  spec: FleetCellSpec,
  fleet: Fleet,
  colos: readonly FleetColo[],
  sim: UpstreamSim,
  deadlineMs: number,
): Promise<FleetCellResult> {
  const t0 = Date.now();
  const random = seededRandom(spec.seed);
  const quietMs = QUIET_MS + spec.poolLatencyMs;
  const maxSettleMs = deadlineMs + SETTLE_MARGIN_MS;
  const addressesOf = new Map(sim.upstreams.map((u) => [u.name, u.addresses]));

  const names = Array.from({ length: spec.names }, () => uniqueName('fleet'));
  const plans = names.map((name) => ({
    name,
    firstOrder: shuffled(random, colos),
    secondOrder: shuffled(random, colos),
  }));
  const results: { name: string; first: Step[]; second: Step[] }[] = [];
  let settledByQuiet = 0;

  const runName = async (plan: (typeof plans)[number]) => {
    const first: Step[] = [];
    for (const colo of plan.firstOrder) {
      first.push({ colo, answer: await queryA(colo.origin, plan.name) });
      if (!(await fleet.waitForQueryLogs(plan.name, first.length, maxSettleMs))) {
        settledByQuiet++;
        await settle(sim, plan.name, quietMs, maxSettleMs);
      }
    }
    const second: Step[] = [];
    for (const colo of plan.secondOrder) {
      second.push({ colo, answer: await queryA(colo.origin, plan.name) });
    }
    await settle(sim, plan.name, quietMs, maxSettleMs);
    results.push({ name: plan.name, first, second });
  };
  const queue = [...plans];
  await Promise.all(
    Array.from({ length: Math.min(NAME_CONCURRENCY, queue.length) }, async () => {
      for (let plan = queue.shift(); plan; plan = queue.shift()) await runName(plan);
    }),
  );

  const requestCounts: number[] = [];
  let complete = 0;
  let seconds = 0;
  let agreeing = 0;
  const firstLatencies: number[] = [];
  const coldLatencies: number[] = [];
  const firstStatus: Record<string, number> = {};
  const byStatus = new Map<string, number[]>();
  const secondStatus: Record<string, number> = {};
  const badAnswers: string[] = [];
  const sweeps: Record<string, number> = {};
  const writes: Record<string, number> = {};
  const attempts: Record<string, number> = {};
  const upstreamOutcomes: Record<string, number> = {};
  const checkAnswer = (name: string, step: Step) => {
    const { status, rcode, addresses } = step.answer;
    if (status !== 200 || rcode !== 'NOERROR' || addresses.length === 0) {
      badAnswers.push(
        `${step.colo.name} ${name}: HTTP ${status} ${rcode}, ${addresses.length} addresses`,
      );
    }
  };
  for (const { name, first, second } of results) {
    const requests = sim.requests(name);
    requestCounts.push(requests.length);
    for (const r of requests) upstreamOutcomes[r.outcome] = (upstreamOutcomes[r.outcome] ?? 0) + 1;
    const expected = new Set(
      requests
        .filter((r) => r.outcome === 'answered')
        .flatMap((r) => addressesOf.get(r.upstream) ?? []),
    );
    first.forEach((step, i) => {
      checkAnswer(name, step);
      firstLatencies.push(step.answer.latencyMs);
      if (i === 0) coldLatencies.push(step.answer.latencyMs);
      firstStatus[step.answer.cache] = (firstStatus[step.answer.cache] ?? 0) + 1;
      const same = byStatus.get(step.answer.cache) ?? [];
      same.push(step.answer.latencyMs);
      byStatus.set(step.answer.cache, same);
    });
    for (const step of second) {
      checkAnswer(name, step);
      seconds++;
      secondStatus[step.answer.cache] = (secondStatus[step.answer.cache] ?? 0) + 1;
      const held = new Set(step.answer.addresses);
      if ([...expected].every((address) => held.has(address))) complete++;
    }
    for (const line of fleet.queryLogs(name)) {
      if (line.sweep) sweeps[line.sweep] = (sweeps[line.sweep] ?? 0) + 1;
      if (line.write) writes[line.write] = (writes[line.write] ?? 0) + 1;
      for (const attempt of line.upstreams ?? []) {
        attempts[attempt.outcome] = (attempts[attempt.outcome] ?? 0) + 1;
      }
    }
    const orders = new Set(second.map((step) => step.answer.addresses.join(',')));
    if (orders.size === 1) agreeing++;
  }
  return {
    ...spec,
    requestsMean: mean(requestCounts),
    requestsMax: Math.max(0, ...requestCounts),
    target: 2 * spec.colos + (spec.upstreams - 2),
    unleashed: spec.colos * spec.upstreams,
    completeness: seconds === 0 ? 0 : complete / seconds,
    orderAgreement: spec.colos > 1 ? agreeing / Math.max(1, results.length) : null,
    firstP50: percentile(firstLatencies, 50),
    coldP50: percentile(coldLatencies, 50),
    firstP50ByStatus: Object.fromEntries(
      [...byStatus].map(([status, latencies]) => [status, percentile(latencies, 50)]),
    ),
    firstStatus,
    secondStatus,
    sweeps,
    writes,
    attempts,
    upstreamOutcomes,
    settledByQuiet,
    badAnswers,
    seconds: (Date.now() - t0) / 1000,
  };
}

/**
 * Waits until the upstreams have no request for `name` (every name when
 * undefined) open and have seen nothing for it for `quietMs` (arrivals and
 * answers both count), at most `maxMs`.
 */
export async function settle(
  sim: UpstreamSim,
  name: string | undefined,
  quietMs: number,
  maxMs: number,
): Promise<void> {
  const until = wallClock() + maxMs;
  for (;;) {
    let open = false;
    let lastEvent = 0;
    for (const r of sim.requests(name)) {
      if (r.outcome === 'open') open = true;
      lastEvent = Math.max(lastEvent, r.arrivedAt, r.endedAt ?? 0);
    }
    const idle = wallClock() - lastEvent;
    if ((!open && idle >= quietMs) || wallClock() >= until) return;
    await new Promise((resolve) => setTimeout(resolve, open ? 20 : quietMs - idle + 1));
  }
}
