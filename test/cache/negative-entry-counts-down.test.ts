/**
 * RFC 2308 §5: a cached negative answer lives for min(SOA TTL, SOA MINIMUM),
 * carried as the TTL of the SOA in the authority section, and that TTL
 * decrements like any cached TTL. An SOA whose own TTL is far larger than its
 * MINIMUM must not keep the answer's lifetime pinned at MINIMUM.
 */
import { expect, it } from 'vitest';
import { entryFromResponse, messageFromEntry } from '../../src/cache/cached-answer';
import type { DnsMessage, DnsRecord } from '../../src/dns/codec';
import { responseTtl } from '../../src/resolver/response-ttl';
import { sanitizeAnswer } from '../../src/upstream/sanitize-answer';
import { Rcode, respond, TEST_ZONE_SOA, TEST_ZONE_SOA_MINIMUM } from '../support/test-zone';

const STORED_AT = 1_795_000_000_000;
const AGE_S = 25;

function ttlOf(record: DnsRecord): number | undefined {
  return 'ttl' in record ? record.ttl : undefined;
}

function nxdomain(): DnsMessage {
  const query: DnsMessage = {
    id: 0,
    type: 'query',
    flags: 0,
    questions: [{ name: 'missing.test', type: 'A', class: 'IN' }],
  };
  // As the exchange hands it on: sanitized, which gives the SOA its negative TTL.
  const clean = sanitizeAnswer(
    { name: 'missing.test', type: 'A', class: 'IN' },
    respond(query, Rcode.NXDOMAIN, [], [TEST_ZONE_SOA]),
  );
  if (!clean.ok) throw new Error(clean.failure.message);
  return clean.message;
}

it('counts the negative TTL down from min(SOA TTL, MINIMUM), in the SOA and in the answer lifetime', () => {
  const entry = entryFromResponse(nxdomain(), STORED_AT);
  if (entry === null) throw new Error('a negative answer must be cacheable');
  expect(entry.ttl).toBe(TEST_ZONE_SOA_MINIMUM);

  const fresh = messageFromEntry(entry, STORED_AT);
  expect(fresh.authorities?.map(ttlOf)).toEqual([TEST_ZONE_SOA_MINIMUM]);
  expect(responseTtl(fresh)).toBe(TEST_ZONE_SOA_MINIMUM);

  const aged = messageFromEntry(entry, STORED_AT + AGE_S * 1_000);
  expect(aged.authorities?.map(ttlOf)).toEqual([TEST_ZONE_SOA_MINIMUM - AGE_S]);
  expect(responseTtl(aged)).toBe(TEST_ZONE_SOA_MINIMUM - AGE_S);
});
