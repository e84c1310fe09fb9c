/**
 * docs/architecture.md §2: an upstream that hangs (a timeout counts, whoever won) cools down
 * and is then asked by neither tier, so it stops holding an in-flight slot
 * until the deadline on every miss. (The one probe per cool-down period is
 * timed exactly in test/upstream/upstream-health-cool-down.test.ts.)
 */
import { afterEach, expect, it } from 'vitest';
import { DEFAULT_HEALTH_TUNING } from '../../src/upstream/upstream-health';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamFailure } from '../support/control-client';
import { fleetBindings, requestsPerUpstream, uniqueFleetName } from './fleet-worker';

/** Short, so the hung attempts end quickly; far above the fleet's answer times. */
const DEADLINE_MS = 600;
const BLACKHOLED = 'fleet-5';

const suffix = uniqueFleetName('blackhole');
afterEach(() => resetControl(suffix));

let lookups = 0;
async function miss(): Promise<void> {
  const bindings = { ...fleetBindings(), DEADLINE_MS: String(DEADLINE_MS) };
  const call = await callWorker(
    getPath(queryBytes(`n${lookups++}.${suffix}`)),
    undefined,
    bindings,
  );
  await wireAnswer(call.response);
  await call.background;
}

it('stops asking a blackholed upstream once its cool-down has started', async () => {
  await setUpstreamFailure(BLACKHOLED, 'never', suffix);
  const { coolDownAfter } = DEFAULT_HEALTH_TUNING;
  for (let i = 0; i < coolDownAfter; i++) await miss();
  const cooling = await requestsPerUpstream(suffix);
  // Every miss asked it (the background tier) and it never answered.
  expect(cooling[BLACKHOLED]).toBe(coolDownAfter);

  for (let i = 0; i < 3; i++) await miss();
  const after = await requestsPerUpstream(suffix);
  expect(after[BLACKHOLED]).toBe(coolDownAfter);
  // The others still answer every miss.
  expect(after['fleet-1']).toBe(coolDownAfter + 3);
});
