/**
 * RFC 9520 / RFC 8767 §5: a refresh that fails slowly (upstreams that hang
 * until the deadline, well after the 1.8 s stale wait) is remembered like a
 * fast failure, so during an outage the next client gets the stale entry at
 * once instead of waiting 1.8 s and restarting a full fan-out.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
import { STALE_REFRESH_WAIT_MS } from '../../src/resolver/resolver';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamFailure } from '../support/control-client';
import {
  ageCachedAnswer,
  CLIENT_OPT,
  fleetBindings,
  requestsPerUpstream,
  uniqueFleetName,
} from './fleet-worker';

/** Past the stale wait, so the refresh fails after the client was answered. */
const DEADLINE_MS = STALE_REFRESH_WAIT_MS + 400;

const name = uniqueFleetName('stale-hang');
afterEach(() => resetControl(name));

async function ask() {
  const query = queryBytes(name, 'A', 0, { additionals: [CLIENT_OPT] });
  const bindings = { ...fleetBindings(), DEADLINE_MS: String(DEADLINE_MS) };
  const call = await callWorker(getPath(query), undefined, bindings);
  const timing = call.response.headers.get('server-timing') ?? '';
  const message = await wireAnswer(call.response);
  await call.background;
  return { timing, message };
}

const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);

it('remembers a refresh that failed after the stale wait, and does not fan out again', async () => {
  await ask();
  const beforeRefresh = await requestsPerUpstream(name);
  await ageCachedAnswer(name, (ttl) => ttl + 60);
  await Promise.all(inject('fleet').map((u) => setUpstreamFailure(u.name, 'never', name)));

  const first = await ask();
  expect(first.timing).toMatch(/cache;desc="stale"/);
  const afterRefresh = await requestsPerUpstream(name);
  // The refresh did go out (and hung until its deadline, after the client had its answer).
  expect(total(afterRefresh)).toBeGreaterThan(total(beforeRefresh));

  const second = await ask();
  expect(second.timing).toMatch(/cache;desc="stale"/);
  expect(readExtendedErrors(second.message).map((e) => e.code)).toEqual([EDE.StaleAnswer]);
  expect(await requestsPerUpstream(name)).toEqual(afterRefresh);
});
