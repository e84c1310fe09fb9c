import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/codec';
import { type MergeQuestion, mergeAnswers as mergeClean } from '../../src/pool/merge-answers';
import { sanitizeAnswer } from '../../src/upstream/sanitize-answer';
import { a, aaaa, cname, question, RCODE, response, soa } from './dns-fixtures';

/**
 * What a flight does: the exchange sanitizes each upstream's answer, and only
 * the usable ones reach the merge (failures are the sanitizer's, see
 * test/upstream/sanitize-answer.test.ts).
 */
function mergeAnswers(q: MergeQuestion, inputs: { upstream: string; response: DnsMessage }[]) {
  return mergeClean(
    q,
    inputs.flatMap(({ upstream, response: raw }) => {
      const clean = sanitizeAnswer(q as DnsQuestion, raw);
      return clean.ok ? [{ upstream, response: clean.message, answer: clean.answer }] : [];
    }),
  );
}

const addresses = (records: { type: string; data: unknown }[]) =>
  records.filter((record) => record.type === 'A' || record.type === 'AAAA').map((r) => r.data);

describe('mergeAnswers: dedup', () => {
  it('merges addresses from several upstreams, deduped by canonical form, in first-seen order', () => {
    const merged = mergeAnswers(question('v6.example', 'AAAA'), [
      { upstream: 'u1', response: response({ answers: [aaaa('v6.example', '2001:db8::1')] }) },
      {
        upstream: 'u2',
        response: response({
          answers: [
            aaaa('V6.Example.', '2001:0DB8:0:0:0:0:0:0001'),
            aaaa('v6.example', '2001:db8::2'),
          ],
        }),
      },
    ]);
    expect(addresses(merged.records)).toEqual(['2001:db8::1', '2001:db8::2']);
    expect(merged.records.map((record) => record.sources)).toEqual([['u1', 'u2'], ['u2']]);
    expect(merged.contributors).toEqual(['u1', 'u2']);
    expect(merged.divergences).toEqual([]);
  });

  it('dedups CNAME targets regardless of case and trailing dot', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [cname('www.example', 'Edge.CDN.example.'), a('edge.cdn.example', '192.0.2.1')],
        }),
      },
      {
        upstream: 'u2',
        response: response({
          answers: [cname('WWW.example.', 'edge.cdn.example'), a('EDGE.cdn.example.', '192.0.2.2')],
        }),
      },
    ]);
    expect(merged.chain).toEqual(['www.example', 'edge.cdn.example']);
    expect(merged.records.filter((record) => record.type === 'CNAME')).toHaveLength(1);
    expect(merged.records.map((record) => [record.type, record.sources])).toEqual([
      ['CNAME', ['u1', 'u2']],
      ['A', ['u1']],
      ['A', ['u2']],
    ]);
    expect(merged.divergences).toEqual([]);
  });

  it('records the sources of each record in arrival order, once per upstream', () => {
    const answer = () =>
      response({ answers: [a('x.example', '192.0.2.1'), a('x.example', '192.0.2.1')] });
    const merged = mergeAnswers(question('x.example'), [
      { upstream: 'fast', response: answer() },
      { upstream: 'middle', response: answer() },
      { upstream: 'slow', response: answer() },
    ]);
    expect(merged.records).toHaveLength(1);
    expect(merged.records[0]?.sources).toEqual(['fast', 'middle', 'slow']);
  });

  it('dedups other types by their full data', () => {
    const mx = (preference: number, exchange: string): DnsRecord => ({
      name: 'example',
      type: 'MX',
      class: 'IN',
      ttl: 300,
      data: { preference, exchange },
    });
    const merged = mergeAnswers(question('example', 'MX'), [
      { upstream: 'u1', response: response({ answers: [mx(10, 'mail.example')] }) },
      {
        upstream: 'u2',
        response: response({ answers: [mx(10, 'Mail.Example.'), mx(20, 'mail.example')] }),
      },
    ]);
    expect(merged.records.map((record) => record.data)).toEqual([
      { preference: 10, exchange: 'mail.example' },
      { preference: 20, exchange: 'mail.example' },
    ]);
  });
});

describe('mergeAnswers: TTL', () => {
  it('takes the minimum TTL seen, per record and for the answer, never raising it', () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [a('x.example', '192.0.2.1', 300), a('x.example', '192.0.2.2', 120)],
        }),
      },
      { upstream: 'u2', response: response({ answers: [a('x.example', '192.0.2.1', 60)] }) },
      { upstream: 'u3', response: response({ answers: [a('x.example', '192.0.2.1', 3600)] }) },
    ]);
    expect(merged.records.map((record) => record.ttl)).toEqual([60, 120]);
    expect(merged.ttl).toBe(60);
  });

  it('treats a TTL with the top bit set as zero (RFC 2181 §8)', () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'u1',
        response: response({ answers: [a('x.example', '192.0.2.1', 0x80000000)] }),
      },
    ]);
    expect(merged.ttl).toBe(0);
  });
});

describe('mergeAnswers: CNAME chains', () => {
  it('records an answer with a different chain as a divergence and does not mix it in', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [cname('www.example', 'a.cdn.example'), a('a.cdn.example', '192.0.2.1')],
        }),
      },
      {
        upstream: 'u2',
        response: response({
          answers: [cname('www.example', 'b.cdn.example'), a('b.cdn.example', '198.51.100.7')],
        }),
      },
      { upstream: 'u3', response: response({ answers: [a('www.example', '203.0.113.9')] }) },
    ]);
    expect(merged.chain).toEqual(['www.example', 'a.cdn.example']);
    expect(addresses(merged.records)).toEqual(['192.0.2.1']);
    expect(merged.contributors).toEqual(['u1']);
    expect(merged.divergences).toEqual([
      { upstream: 'u2', reason: 'chain-differs', chain: ['www.example', 'b.cdn.example'] },
      { upstream: 'u3', reason: 'chain-differs', chain: ['www.example'] },
    ]);
  });

  it('does not merge chains that reach the same final owner through different names', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [
            cname('www.example', 'mid.example'),
            cname('mid.example', 'edge.example'),
            a('edge.example', '192.0.2.1'),
          ],
        }),
      },
      {
        upstream: 'u2',
        response: response({
          answers: [cname('www.example', 'edge.example'), a('edge.example', '192.0.2.2')],
        }),
      },
    ]);
    expect(merged.records.filter((record) => record.name === 'www.example')).toHaveLength(1);
    expect(merged.divergences.map((d) => d.reason)).toEqual(['chain-differs']);
  });

  it('never merges an answer with two CNAMEs for one owner and takes the next usable one as reference', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [
            cname('www.example', 'a.cdn.example'),
            cname('www.example', 'evil.example'),
            a('a.cdn.example', '192.0.2.1'),
            a('evil.example', '203.0.113.66'),
          ],
        }),
      },
      {
        upstream: 'u2',
        response: response({
          answers: [cname('www.example', 'a.cdn.example'), a('a.cdn.example', '192.0.2.2')],
        }),
      },
    ]);
    expect(merged.divergences).toEqual([]);
    expect(merged.contributors).toEqual(['u2']);
    expect(addresses(merged.records)).toEqual(['192.0.2.2']);
  });

  it('never merges a CNAME loop', () => {
    const merged = mergeAnswers(question('loop.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [cname('loop.example', 'back.example'), cname('back.example', 'LOOP.example.')],
        }),
      },
    ]);
    expect(merged.rcode).toBe('SERVFAIL');
    expect(merged.contributors).toEqual([]);
  });

  it('drops records under a foreign owner and keeps the rest of the answer', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [
            cname('www.example', 'edge.example'),
            a('edge.example', '192.0.2.1'),
            a('bank.example', '203.0.113.66'),
            a('www.example', '203.0.113.67'),
          ],
        }),
      },
    ]);
    expect(addresses(merged.records)).toEqual(['192.0.2.1']);
    expect(merged.contributors).toEqual(['u1']);
    expect(merged.dropped).toEqual([
      { upstream: 'u1', name: 'bank.example', type: 'A', reason: 'foreign-owner' },
      { upstream: 'u1', name: 'www.example', type: 'A', reason: 'data-beside-cname' },
    ]);
  });

  it('answers a CNAME question with the CNAME itself, without following it', () => {
    const merged = mergeAnswers(question('www.example', 'CNAME'), [
      {
        upstream: 'u1',
        response: response({
          answers: [cname('www.example', 'edge.example'), a('edge.example', '192.0.2.1')],
        }),
      },
    ]);
    expect(merged.chain).toEqual(['www.example']);
    expect(merged.records.map((record) => record.type)).toEqual(['CNAME']);
  });
});

describe('mergeAnswers: sections and usability', () => {
  it('never turns authority or additional records into answers', () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'u1',
        response: response({
          answers: [a('x.example', '192.0.2.1')],
          authorities: [
            { name: 'example', type: 'NS', class: 'IN', ttl: 300, data: 'ns1.example' },
            a('x.example', '203.0.113.1'),
          ],
          additionals: [a('ns1.example', '198.51.100.53'), a('x.example', '203.0.113.2')],
        }),
      },
    ]);
    expect(merged.records.map((record) => record.data)).toEqual(['192.0.2.1']);
  });

  it('merges only the answers the sanitizer let through', () => {
    const good = response({
      question: { name: 'x.example', type: 'A' },
      answers: [a('x.example', '192.0.2.1')],
    });
    const merged = mergeAnswers(question('x.example'), [
      { upstream: 'servfail', response: response({ rcode: RCODE.SERVFAIL }) },
      { upstream: 'refused', response: response({ rcode: RCODE.REFUSED }) },
      { upstream: 'empty', response: response() },
      { upstream: 'good', response: good },
    ]);
    expect(merged.contributors).toEqual(['good']);
    expect(merged.divergences).toEqual([]);
  });
});

describe('mergeAnswers: negative answers', () => {
  it('sets the negative TTL to min(SOA TTL, SOA MINIMUM) across upstreams (RFC 2308 §5)', () => {
    const merged = mergeAnswers(question('gone.example'), [
      {
        upstream: 'u1',
        response: response({ rcode: RCODE.NXDOMAIN, authorities: [soa('example', 900, 300)] }),
      },
      {
        upstream: 'u2',
        response: response({ rcode: RCODE.NXDOMAIN, authorities: [soa('example', 120, 600)] }),
      },
    ]);
    expect(merged.rcode).toBe('NXDOMAIN');
    expect(merged.records).toEqual([]);
    expect(merged.negative?.ttl).toBe(120);
    expect(merged.negative?.soa.name).toBe('example');
    expect(merged.ttl).toBe(120);
    expect(merged.contributors).toEqual(['u1', 'u2']);
  });

  it('takes the SOA MINIMUM when it is lower than the SOA TTL', () => {
    const merged = mergeAnswers(question('x.example', 'AAAA'), [
      { upstream: 'u1', response: response({ authorities: [soa('example', 3600, 60)] }) },
    ]);
    expect(merged.rcode).toBe('NOERROR');
    expect(merged.negative?.ttl).toBe(60);
  });

  it('keeps the CNAME chain of a negative answer after a CNAME', () => {
    const merged = mergeAnswers(question('www.example'), [
      {
        upstream: 'u1',
        response: response({
          rcode: RCODE.NXDOMAIN,
          answers: [cname('www.example', 'gone.other', 100)],
          authorities: [soa('other', 500, 500)],
        }),
      },
    ]);
    expect(merged.chain).toEqual(['www.example', 'gone.other']);
    expect(merged.records.map((record) => record.type)).toEqual(['CNAME']);
    expect(merged.negative?.ttl).toBe(500);
    expect(merged.ttl).toBe(100);
  });

  it("does not accept an SOA from outside the name's zone as proof", () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'u1',
        response: response({ rcode: RCODE.NXDOMAIN, authorities: [soa('elsewhere', 300, 300)] }),
      },
    ]);
    expect(merged.contributors).toEqual([]);
    expect(merged.rcode).toBe('SERVFAIL');
  });

  it('lets positive answers win over negative ones and records the negatives as overruled', () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'blocking',
        response: response({ rcode: RCODE.NXDOMAIN, authorities: [soa('example', 300, 300)] }),
      },
      { upstream: 'u2', response: response({ answers: [a('x.example', '192.0.2.1')] }) },
      { upstream: 'nodata', response: response({ authorities: [soa('example', 300, 300)] }) },
    ]);
    expect(merged.rcode).toBe('NOERROR');
    expect(merged.negative).toBeNull();
    expect(merged.contributors).toEqual(['u2']);
    expect(merged.divergences).toEqual([
      { upstream: 'blocking', reason: 'negative-overruled', chain: ['x.example'] },
      { upstream: 'nodata', reason: 'negative-overruled', chain: ['x.example'] },
    ]);
  });

  it('does not mix NXDOMAIN and NODATA', () => {
    const merged = mergeAnswers(question('x.example'), [
      {
        upstream: 'u1',
        response: response({ rcode: RCODE.NXDOMAIN, authorities: [soa('example', 300, 300)] }),
      },
      { upstream: 'u2', response: response({ authorities: [soa('example', 60, 60)] }) },
    ]);
    expect(merged.rcode).toBe('NXDOMAIN');
    expect(merged.negative?.ttl).toBe(300);
    expect(merged.divergences.map((d) => d.reason)).toEqual(['rcode-differs']);
  });
});
