/**
 * docs/architecture.md §2/§5, RFC 9520: when every upstream fails the client gets SERVFAIL
 * with an Extended DNS Error, and the failure is remembered briefly, so the
 * next client is answered at once without hammering the upstreams again.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
import { FAILURE_TTL } from '../../src/resolver/response-ttl';
import { rcodeOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamFailure } from '../support/control-client';
import {
  CLIENT_OPT,
  fleetBindings,
  maxAgeOf,
  requestsPerUpstream,
  uniqueFleetName,
} from './fleet-worker';

const name = uniqueFleetName('servfail');
afterEach(() => resetControl(name));

async function ask() {
  const query = queryBytes(name, 'A', 0, { additionals: [CLIENT_OPT] });
  const call = await callWorker(getPath(query), undefined, fleetBindings());
  const message = await wireAnswer(call.response);
  await call.background;
  return { response: call.response, message };
}

it('answers SERVFAIL with EDE 22, then serves the remembered failure without asking anyone', async () => {
  await Promise.all(inject('fleet').map((u) => setUpstreamFailure(u.name, 'servfail', name)));

  const first = await ask();
  expect(rcodeOf(first.message)).toBe('SERVFAIL');
  expect(readExtendedErrors(first.message).map((e) => e.code)).toEqual([EDE.NoReachableAuthority]);
  expect(maxAgeOf(first.response)).toBe(FAILURE_TTL);
  const asked = await requestsPerUpstream(name);
  for (const member of inject('fleet')) expect(asked[member.name], member.name).toBe(1);

  const second = await ask();
  expect(rcodeOf(second.message)).toBe('SERVFAIL');
  expect(readExtendedErrors(second.message).map((e) => e.code)).toEqual([EDE.CachedError]);
  expect(second.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  expect(await requestsPerUpstream(name)).toEqual(asked);
});
