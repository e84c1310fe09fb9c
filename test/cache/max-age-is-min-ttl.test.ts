/**
 * RFC 8484 §5.1 / docs/architecture.md §5: the HTTP freshness lifetime of a DoH answer is
 * the smallest TTL in it: here a CNAME (600 s) to an A record (300 s).
 */
import { expect, it } from 'vitest';
import { answerTtls, maxAgeOf } from '../resolver/fleet-worker';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { A_TTL, CNAME_TTL, TestName } from '../support/test-zone';

it('sets max-age to the minimum TTL of the answer, on the miss and on the hit', async () => {
  // The default UPSTREAMS of the tests are the zone servers.
  const miss = await callWorker(getPath(queryBytes(TestName.cname)));
  const missTtls = answerTtls(await wireAnswer(miss.response));
  await miss.background;
  expect(missTtls).toEqual([CNAME_TTL, A_TTL]);
  expect(maxAgeOf(miss.response)).toBe(A_TTL);

  const hit = await callWorker(getPath(queryBytes(TestName.cname)));
  expect(hit.response.headers.get('server-timing')).toMatch(/cache;desc="hit"/);
  const hitTtls = answerTtls(await wireAnswer(hit.response));
  await hit.background;
  expect(hitTtls).toHaveLength(2);
  expect(maxAgeOf(hit.response)).toBe(Math.min(...hitTtls));
  expect(maxAgeOf(hit.response)).toBeLessThanOrEqual(A_TTL);
});
