/**
 * docs/architecture.md §5: served TTLs count down with the entry's age, and the HTTP
 * max-age (RFC 8484 §5.1) counts down with them.
 */
import { afterEach, expect, it } from 'vitest';
import { answerTtls, fleetBindings, maxAgeOf, uniqueFleetName } from '../resolver/fleet-worker';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl } from '../support/control-client';

/** Just over one second of real time: enough for the whole-second age to tick once. */
const AGE_MS = 1_100;

const name = uniqueFleetName('countdown');
afterEach(() => resetControl(name));

async function hit(): Promise<{ ttls: number[]; maxAge: number }> {
  const call = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  expect(call.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const maxAge = maxAgeOf(call.response);
  const ttls = answerTtls(await wireAnswer(call.response));
  await call.background;
  return { ttls, maxAge };
}

it('serves a cached answer with TTLs and max-age reduced by its age', async () => {
  const miss = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await wireAnswer(miss.response);
  await miss.background;

  const early = await hit();
  await new Promise((resolve) => setTimeout(resolve, AGE_MS));
  const late = await hit();

  expect(late.ttls).toHaveLength(early.ttls.length);
  for (const [i, ttl] of late.ttls.entries()) {
    const before = early.ttls[i] ?? 0;
    // One whole second passed, or two if the first hit was already late in its second.
    expect(ttl).toBeLessThan(before);
    expect(ttl).toBeGreaterThanOrEqual(before - 2);
  }
  expect(late.maxAge).toBeLessThan(early.maxAge);
  expect(late.maxAge).toBe(Math.min(...late.ttls));
});
