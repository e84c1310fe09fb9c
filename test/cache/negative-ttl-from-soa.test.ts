/**
 * RFC 2308 §5 / docs/architecture.md §5: a negative answer may be reused for
 * min(SOA TTL, SOA MINIMUM); the test zone's SOA has TTL 3600 and MINIMUM 60
 * so only the right rule gives 60.
 */
import { expect, it } from 'vitest';
import { maxAgeOf } from '../resolver/fleet-worker';
import { rcodeOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { TEST_ZONE_SOA_MINIMUM, TestName } from '../support/test-zone';

function soaTtls(message: Awaited<ReturnType<typeof wireAnswer>>): number[] {
  return (message.authorities ?? []).flatMap((r) => (r.type === 'SOA' ? [r.ttl ?? -1] : []));
}

it('caches NXDOMAIN for min(SOA TTL, MINIMUM) and says so in max-age and the SOA TTL', async () => {
  const miss = await callWorker(getPath(queryBytes(TestName.nx)));
  const missMessage = await wireAnswer(miss.response);
  await miss.background;
  expect(rcodeOf(missMessage)).toBe('NXDOMAIN');
  expect(maxAgeOf(miss.response)).toBe(TEST_ZONE_SOA_MINIMUM);
  expect(soaTtls(missMessage)).toEqual([TEST_ZONE_SOA_MINIMUM]);

  const hit = await callWorker(getPath(queryBytes(TestName.nx)));
  expect(hit.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const hitMessage = await wireAnswer(hit.response);
  await hit.background;
  expect(rcodeOf(hitMessage)).toBe('NXDOMAIN');
  const [soaTtl] = soaTtls(hitMessage);
  expect(soaTtl).toBeLessThanOrEqual(TEST_ZONE_SOA_MINIMUM);
  expect(maxAgeOf(hit.response)).toBe(soaTtl);
});
