/**
 * docs/architecture.md §5 / RFC 8767: when every upstream fails and an expired entry within
 * the stale window exists, the client gets that entry with TTL 30 and
 * Extended DNS Error 3 (Stale Answer) instead of SERVFAIL.
 */
import { afterEach, expect, inject, it } from 'vitest';
import { EDE, readExtendedErrors } from '../../src/dns/extended-errors';
import { STALE_ANSWER_TTL } from '../../src/resolver/resolver';
import { addressesOf, rcodeOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { resetControl, setUpstreamFailure } from '../support/control-client';
import {
  ageCachedAnswer,
  answerTtls,
  CLIENT_OPT,
  fleetBindings,
  fleetUnion,
  maxAgeOf,
  requestsPerUpstream,
  uniqueFleetName,
} from './fleet-worker';

/** Well past expiry, well inside the one-day stale window. */
const EXPIRED_FOR_MS = 10 * 60_000;

const name = uniqueFleetName('stale');
afterEach(() => resetControl(name));

it('serves the expired entry with TTL 30 and EDE 3 when every upstream fails', async () => {
  const edns = { additionals: [CLIENT_OPT] };
  const first = await callWorker(
    getPath(queryBytes(name, 'A', 0, edns)),
    undefined,
    fleetBindings(),
  );
  await wireAnswer(first.response);
  await first.background;

  // The pool's entry expires (aged in isolate memory), and every upstream now fails.
  await ageCachedAnswer(name, (ttl) => ttl + EXPIRED_FOR_MS / 1_000);
  await Promise.all(inject('fleet').map((u) => setUpstreamFailure(u.name, 'servfail', name)));

  const stale = await callWorker(
    getPath(queryBytes(name, 'A', 0, edns)),
    undefined,
    fleetBindings(),
  );
  expect(stale.response.headers.get('server-timing')).toMatch(/cache;desc="stale"/);
  expect(maxAgeOf(stale.response)).toBe(STALE_ANSWER_TTL);
  const message = await wireAnswer(stale.response);
  await stale.background;

  expect(rcodeOf(message)).toBe('NOERROR');
  expect([...addressesOf(message)].sort()).toEqual(fleetUnion());
  expect(new Set(answerTtls(message))).toEqual(new Set([STALE_ANSWER_TTL]));
  expect(readExtendedErrors(message).map((e) => e.code)).toEqual([EDE.StaleAnswer]);
  // The refresh was really tried: every upstream was asked again (and failed).
  const counts = await requestsPerUpstream(name);
  for (const member of inject('fleet')) expect(counts[member.name], member.name).toBe(2);
});
