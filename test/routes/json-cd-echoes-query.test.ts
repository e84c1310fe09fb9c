/**
 * Issue 9, observation 7: the JSON API's `CD` says what the client asked
 * (RFC 4035 §3.2.2: the CD bit of a response is copied from the query), not
 * what the upstream's header happened to carry.
 */
import { expect, it } from 'vitest';
import type { DnsJsonResponse } from '../../src/dns/json-api';
import { hostileUpstreams, uniqueHostileName } from '../resolver/hostile-worker';
import { Hostility } from '../support/hostility';
import { callWorker } from './worker-client';

async function resolveJson(name: string, cd: string, bindings: Partial<Env>) {
  const { response, background } = await callWorker(
    `/resolve?name=${name}&type=A&cd=${cd}`,
    undefined,
    bindings,
  );
  await background;
  expect(response.status).toBe(200);
  return response.json<DnsJsonResponse>();
}

it('echoes cd=1 and cd=0 in CD, on a miss and on a hit', async () => {
  const { bindings } = hostileUpstreams();
  const name = uniqueHostileName(Hostility.checkingDisabled);
  for (const [cd, expected] of [
    ['1', true],
    ['0', false],
    ['1', true],
    ['0', false],
  ] as const) {
    expect((await resolveJson(name, cd, bindings)).CD).toBe(expected);
  }
});
