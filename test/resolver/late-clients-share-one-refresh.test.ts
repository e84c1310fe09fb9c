/**
 * docs/architecture.md §1.4: a flight stays joinable until its pool write lands, but only
 * while its answer is fresh. Clients that come after that answer's TTL ran
 * out start one new fan-out between them, not one each.
 */
import { afterEach, expect, it } from 'vitest';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamDelay } from '../support/control-client';
import {
  ageInflightAnswer,
  fleetBindings,
  rankedFleet,
  requestsPerUpstream,
  uniqueFleetName,
  untilArrived,
} from './fleet-worker';

/** Keeps the first flight's background tier (and so the flight) open while the test runs. */
const SLOW_BACKGROUND_MS = 1_500;
const LATE_CLIENTS = 5;

const name = uniqueFleetName('late-clients');
afterEach(async () => {
  await resetControl(name);
});

it('starts one fan-out for all clients that find the open flight answer expired', async () => {
  const { active, background } = rankedFleet();
  await Promise.all(background.map((u) => setUpstreamDelay(u.name, SLOW_BACKGROUND_MS, name)));
  const first = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await untilArrived(
    name,
    background.map((u) => u.name),
  );
  await ageInflightAnswer(name, (ttl) => ttl + 1);

  const late = await Promise.all(
    Array.from({ length: LATE_CLIENTS }, () =>
      callWorker(getPath(queryBytes(name)), undefined, fleetBindings()),
    ),
  );
  for (const { response } of late) expect(response.status).toBe(200);
  const counts = await requestsPerUpstream(name);
  await Promise.all([first.background, ...late.map((call) => call.background)]);
  for (const upstream of active) expect(counts[upstream.name]).toBe(2);
});
