/**
 * The simulated upstream fleets and the failure profiles the bench runs
 * them through. Every profile is a `DecideBehaviour`: how an upstream treats
 * one query, given the name and the order in which the name arrived.
 */
import { seededRandom } from '../../test/support/seeded-random';
import type { DecideBehaviour, SimBehaviour, SimUpstreamSpec } from './upstream-sim';

/** Healthy latencies are spread evenly over this range (public DoH resolvers seen from one colo). */
export const FASTEST_MS = 10;
export const SLOWEST_MS = 120;
/** How slow the active tier is in `active-slow`: well past the 300 ms fallback timer. */
export const SLOW_ACTIVE_MS = 800;
/** Upstreams the `active-slow` profile slows down: the default active tier size. */
const SLOW_ACTIVE_COUNT = 2;
/** Share of requests a flaky upstream fails, half SERVFAIL and half never answered. */
export const FLAKY_SHARE = 0.1;
const FLAKY_SEED = 0x5eed;

export type ProfileName = 'healthy' | 'active-slow' | 'flaky' | 'one-dead';

/** Run in this order on one worker: health learned in one carries into the next (see README). */
export const PROFILE_ORDER: readonly ProfileName[] = [
  'healthy',
  'active-slow',
  'flaky',
  'one-dead',
];

export const PROFILE_DESCRIPTIONS: Readonly<Record<ProfileName, string>> = {
  healthy: `every upstream answers, latencies spread ${FASTEST_MS}–${SLOWEST_MS} ms`,
  'active-slow': `the first ${SLOW_ACTIVE_COUNT} upstreams asked for each name (tiered: the active tier) answer after ${SLOW_ACTIVE_MS} ms`,
  flaky: `every request fails with p=${FLAKY_SHARE} (half SERVFAIL, half never answered)`,
  'one-dead': `the fastest upstream (${FASTEST_MS} ms) refuses connections`,
};

/**
 * N upstreams, alternating DoH and TCP, delays spread over FASTEST..SLOWEST
 * but shuffled against config order, so ranking by config order is not
 * already ranking by speed: the resolver has to learn it. Upstream i knows
 * addresses .i and .i+1 (TEST-NET-2): neighbours overlap (dedup is
 * exercised) and each upstream alone knows one address (completeness is).
 */
export function fleetSpecs(count: number): SimUpstreamSpec[] {
  const delays = Array.from({ length: count }, (_, i) =>
    Math.round(FASTEST_MS + ((SLOWEST_MS - FASTEST_MS) * i) / Math.max(1, count - 1)),
  );
  // A fixed stride permutation: deterministic, and neither sorted nor reversed.
  let stride = 3;
  while (gcd(stride, count) !== 1) stride++;
  return Array.from({ length: count }, (_, i) => {
    const index = i + 1;
    return {
      name: `u${String(index).padStart(2, '0')}`,
      transport: i % 2 === 0 ? 'http' : 'tcp',
      delayMs: delays[(i * stride) % count] ?? SLOWEST_MS,
      addresses: [`198.51.100.${index}`, `198.51.100.${index + 1}`],
    };
  });
}

/** The upstream the `one-dead` profile kills: the fastest one, which the resolver ranks first. */
export function deadUpstream(specs: readonly SimUpstreamSpec[]): SimUpstreamSpec {
  const fastest = [...specs].sort((a, b) => a.delayMs - b.delayMs)[0];
  if (!fastest) throw new Error('empty fleet');
  return fastest;
}

const normal = (upstream: SimUpstreamSpec): SimBehaviour => ({
  delayMs: upstream.delayMs,
  failure: 'none',
});

export function profileBehaviour(profile: ProfileName): DecideBehaviour {
  switch (profile) {
    case 'healthy':
    case 'one-dead': // the dead one's listener is closed; it never gets to decide
      return normal;
    case 'active-slow':
      return (upstream, _name, arrival) =>
        arrival < SLOW_ACTIVE_COUNT
          ? { delayMs: SLOW_ACTIVE_MS, failure: 'none' }
          : normal(upstream);
    case 'flaky': {
      const random = seededRandom(FLAKY_SEED);
      return (upstream) => {
        const draw = random();
        if (draw < FLAKY_SHARE / 2) return { delayMs: upstream.delayMs, failure: 'servfail' };
        if (draw < FLAKY_SHARE) return { delayMs: upstream.delayMs, failure: 'hang' };
        return normal(upstream);
      };
    }
  }
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}
