/**
 * docs/architecture.md §5 / RFC 9520, RFC 8767 §5: a refresh that failed everywhere is
 * remembered briefly like any resolution failure, so while the upstreams are
 * down the stale entry is served without fanning out to all of them again on
 * every client query.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
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

const name = uniqueFleetName('stale-again');
afterEach(() => resetControl(name));

async function ask() {
  const query = queryBytes(name, 'A', 0, { additionals: [CLIENT_OPT] });
  const call = await callWorker(getPath(query), undefined, fleetBindings());
  const timing = call.response.headers.get('server-timing') ?? '';
  const message = await wireAnswer(call.response);
  await call.background;
  return { timing, message };
}

it('does not fan out again for the next client after a failed stale refresh', async () => {
  await ask();
  await ageCachedAnswer(name, (ttl) => ttl + 60);
  await Promise.all(inject('fleet').map((u) => setUpstreamFailure(u.name, 'servfail', name)));

  const first = await ask();
  expect(first.timing).toMatch(/cache;desc="stale"/);
  const afterRefresh = await requestsPerUpstream(name);
  for (const member of inject('fleet')) expect(afterRefresh[member.name], member.name).toBe(2);

  const second = await ask();
  expect(second.timing).toMatch(/cache;desc="stale"/);
  expect(readExtendedErrors(second.message).map((e) => e.code)).toEqual([EDE.StaleAnswer]);
  expect(await requestsPerUpstream(name)).toEqual(afterRefresh);
});
