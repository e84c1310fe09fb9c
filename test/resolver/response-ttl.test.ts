/**
 * Freshness of a response (RFC 8484 §5.1, RFC 2308 §5), including negative
 * answers at the end of a CNAME chain, which carry both the chain and an SOA.
 * Responses are sanitized first, as every upstream answer is in the exchange:
 * that is where the SOA gets its negative TTL.
 */
import { describe, expect, it } from 'vitest';
import { entryFromResponse } from '../../src/cache/cached-answer';
import type { DnsMessage, DnsRecord } from '../../src/dns/codec';
import { FAILURE_TTL, responseTtl } from '../../src/resolver/response-ttl';
import { sanitizeAnswer } from '../../src/upstream/sanitize-answer';

const NXDOMAIN = 3;
const cname: DnsRecord = {
  name: 'alias.test',
  type: 'CNAME',
  class: 'IN',
  ttl: 600,
  data: 'gone.test',
};
const soa: DnsRecord = {
  name: 'test',
  type: 'SOA',
  class: 'IN',
  ttl: 3600,
  data: {
    mname: 'ns.test',
    rname: 'hostmaster.test',
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 60,
  },
};

function raw(rcode: number, answers: DnsRecord[], authorities: DnsRecord[]): DnsMessage {
  return { type: 'response', flags: 0x8180 | rcode, questions: [], answers, authorities };
}

/** The message as the exchange hands it on; an unusable one as it is. */
function response(rcode: number, answers: DnsRecord[], authorities: DnsRecord[]): DnsMessage {
  const message = raw(rcode, answers, authorities);
  const clean = sanitizeAnswer({ name: 'alias.test', type: 'A', class: 'IN' }, message);
  return clean.ok ? clean.message : message;
}

describe('responseTtl', () => {
  it('takes the minimum answer TTL of a positive answer', () => {
    const a: DnsRecord = { name: 'gone.test', type: 'A', class: 'IN', ttl: 120, data: '192.0.2.1' };
    expect(responseTtl(response(0, [cname, a], []))).toBe(120);
  });

  it('takes min(SOA TTL, MINIMUM) for NXDOMAIN at the end of a CNAME chain', () => {
    expect(responseTtl(response(NXDOMAIN, [cname], [soa]))).toBe(60);
  });

  it('takes the negative TTL for NODATA at the end of a CNAME chain, not the CNAME TTL', () => {
    expect(responseTtl(response(0, [cname], [soa]))).toBe(60);
  });

  it('keeps a CNAME answer without an SOA positive', () => {
    expect(responseTtl(response(0, [cname], []))).toBe(600);
  });

  it('gives a negative answer without an SOA only the failure TTL', () => {
    expect(responseTtl(response(NXDOMAIN, [], []))).toBe(FAILURE_TTL);
  });
});

describe('entryFromResponse', () => {
  it('keeps the chain and the SOA, at the negative TTL, for NXDOMAIN after a CNAME', () => {
    const entry = entryFromResponse(response(NXDOMAIN, [cname], [soa]), 0);
    expect(entry?.rcode).toBe('NXDOMAIN');
    expect(entry?.answers.map((r) => r.type)).toEqual(['CNAME']);
    expect(entry?.authorities.map((r) => [r.type, 'ttl' in r ? r.ttl : null])).toEqual([
      ['SOA', 60],
    ]);
    expect(entry?.ttl).toBe(60);
  });
});
