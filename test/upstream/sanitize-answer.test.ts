import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/codec';
import { MAX_CHAIN_LINKS } from '../../src/upstream/answer-chain';
import { sanitizeAnswer } from '../../src/upstream/sanitize-answer';

const question: DnsQuestion = { name: 'www.example', type: 'A', class: 'IN' };
const Rcode = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, FORMERR: 1 };

const soa = (owner: string): DnsRecord => ({
  name: owner,
  type: 'SOA',
  ttl: 3600,
  data: {
    mname: 'ns.example',
    rname: 'hostmaster.example',
    serial: 1,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 60,
  },
});
const a = (owner: string, data = '192.0.2.7'): DnsRecord => ({
  name: owner,
  type: 'A',
  ttl: 60,
  data,
});
const cname = (owner: string, target: string): DnsRecord => ({
  name: owner,
  type: 'CNAME',
  ttl: 60,
  data: target,
});

function response(rcode: number, answers: DnsRecord[], authorities: DnsRecord[] = []): DnsMessage {
  return { type: 'response', flags: rcode, questions: [question], answers, authorities };
}

/** The failure of an unusable answer, or undefined when it is usable (the old classifyAnswer contract). */
function classifyAnswer(q: DnsQuestion, message: DnsMessage) {
  const result = sanitizeAnswer(q, message);
  return result.ok ? undefined : result.failure;
}

describe('sanitizeAnswer accepts answers and valid negative answers only', () => {
  it('accepts an address for the query name', () => {
    expect(classifyAnswer(question, response(Rcode.NOERROR, [a('www.example')]))).toBeUndefined();
  });

  it('accepts an address at the end of a CNAME chain, in any case', () => {
    const chain = [
      cname('WWW.example', 'edge.cdn.example'),
      cname('edge.cdn.example', 'n1.cdn.example'),
      a('N1.cdn.example'),
    ];
    expect(classifyAnswer(question, response(Rcode.NOERROR, chain))).toBeUndefined();
  });

  it('accepts a CNAME at the query name even without the target records', () => {
    expect(
      classifyAnswer(
        question,
        response(Rcode.NOERROR, [cname('www.example', 'elsewhere.example')]),
      ),
    ).toBeUndefined();
  });

  it('accepts NODATA with the SOA of an enclosing zone', () => {
    expect(classifyAnswer(question, response(Rcode.NOERROR, [], [soa('example')]))).toBeUndefined();
  });

  it('accepts NXDOMAIN with the SOA of the zone the chain ends in', () => {
    const answer = response(Rcode.NXDOMAIN, [cname('www.example', 'gone.other')], [soa('other')]);
    expect(classifyAnswer(question, answer)).toBeUndefined();
  });

  it('accepts an SOA of the root zone', () => {
    expect(classifyAnswer(question, response(Rcode.NXDOMAIN, [], [soa('.')]))).toBeUndefined();
  });

  it('rejects NOERROR with neither an answer nor an SOA', () => {
    expect(classifyAnswer(question, response(Rcode.NOERROR, []))).toMatchObject({
      kind: 'rcode',
      rcode: 'NOERROR',
    });
  });

  it('rejects an answer whose only records are owned by a name off the chain', () => {
    expect(classifyAnswer(question, response(Rcode.NOERROR, [a('evil.example')]))?.kind).toBe(
      'rcode',
    );
  });

  it('rejects an SOA of a zone that does not contain the name', () => {
    expect(classifyAnswer(question, response(Rcode.NOERROR, [], [soa('other')]))?.kind).toBe(
      'rcode',
    );
  });

  it('rejects NXDOMAIN without an SOA', () => {
    expect(classifyAnswer(question, response(Rcode.NXDOMAIN, []))).toMatchObject({
      kind: 'rcode',
      rcode: 'NXDOMAIN',
    });
  });

  it.each([
    ['SERVFAIL', Rcode.SERVFAIL],
    ['REFUSED', Rcode.REFUSED],
    ['FORMERR', Rcode.FORMERR],
    ['NOTIMP', Rcode.NOTIMP],
  ])('rejects %s even with records in it', (name, rcode) => {
    expect(
      classifyAnswer(question, response(rcode, [a('www.example')], [soa('example')])),
    ).toMatchObject({
      kind: 'rcode',
      rcode: name,
    });
  });

  it('reads the extended RCODE from OPT, so BADVERS is not taken for NOERROR', () => {
    const badvers: DnsMessage = {
      ...response(Rcode.NOERROR, [a('www.example')]),
      additionals: [
        {
          name: '.',
          type: 'OPT',
          udpPayloadSize: 1232,
          extendedRcode: 1,
          ednsVersion: 0,
          flags: 0,
          flag_do: false,
          options: [],
        },
      ],
    };
    expect(classifyAnswer(question, badvers)).toMatchObject({ kind: 'rcode', rcode: 'BADVERS' });
  });
});

describe('sanitizeAnswer keeps only what answers the question', () => {
  const kept = (message: DnsMessage) => {
    const result = sanitizeAnswer(question, message);
    if (!result.ok) throw new Error(result.failure.message);
    return result;
  };

  it('drops records for foreign owners, beside the chain and in other sections', () => {
    const result = kept({
      ...response(
        Rcode.NOERROR,
        [
          cname('WWW.example', 'edge.cdn.example'),
          a('www.example', '203.0.113.1'),
          a('edge.cdn.example'),
          a('victim.example', '203.0.113.2'),
        ],
        [soa('example')],
      ),
      additionals: [a('ns.example', '203.0.113.3')],
    });
    expect(result.message.answers?.map((r) => `${r.name} ${r.type}`)).toEqual([
      'WWW.example CNAME',
      'edge.cdn.example A',
    ]);
    expect(result.message.authorities).toEqual([]);
    expect(result.message.additionals).toEqual([]);
    expect(result.answer.chain).toEqual(['www.example', 'edge.cdn.example']);
    expect(result.answer.dropped.map((d) => d.reason)).toEqual([
      'data-beside-cname',
      'foreign-owner',
    ]);
  });

  it('keeps the SOA of a negative answer at its negative TTL and the chain before it', () => {
    const result = kept(
      response(Rcode.NOERROR, [cname('www.example', 'gone.example')], [soa('example')]),
    );
    expect(result.answer.negative?.ttl).toBe(60);
    expect(result.message.authorities?.map((r) => ['ttl' in r ? r.ttl : null, r.type])).toEqual([
      [60, 'SOA'],
    ]);
    expect(result.message.answers?.map((r) => r.type)).toEqual(['CNAME']);
  });

  it.each([
    [0, 0],
    [2 ** 31 - 1, 86_400],
    [2 ** 31, 0],
    [2 ** 31 + 1, 0],
    [86_401, 86_400],
    [1_000_000, 86_400],
  ])('bounds wire TTL %d to %d (RFC 2181 §8, docs/architecture.md §5)', (wire, bounded) => {
    const result = kept(response(Rcode.NOERROR, [{ ...a('www.example'), ttl: wire } as DnsRecord]));
    expect(result.message.answers?.map((r) => ('ttl' in r ? r.ttl : null))).toEqual([bounded]);
  });

  it('caps the negative TTL at one hour and treats a top-bit MINIMUM as 0', () => {
    const long = { ...soa('example'), ttl: 86_400 } as DnsRecord;
    if (long.type !== 'SOA') throw new Error('not an SOA');
    const capped = kept(
      response(Rcode.NXDOMAIN, [], [{ ...long, data: { ...long.data, minimum: 86_400 } }]),
    );
    expect(capped.answer.negative?.ttl).toBe(3_600);
    const topBit = kept(
      response(Rcode.NXDOMAIN, [], [{ ...long, data: { ...long.data, minimum: 2 ** 31 } }]),
    );
    expect(topBit.answer.negative?.ttl).toBe(0);
  });

  it("clears the upstream CD bit: the client's own is echoed", () => {
    const result = kept({ ...response(Rcode.NOERROR, [a('www.example')]), flags: 0x8190 });
    expect((result.message.flags ?? 0) & 0x0010).toBe(0);
  });
});

describe('sanitizeAnswer fails answers that cannot be trusted', () => {
  it('fails two different CNAMEs for one owner as ambiguous', () => {
    const two = [
      cname('www.example', 'a.example'),
      cname('WWW.example.', 'b.example'),
      a('a.example'),
    ];
    expect(classifyAnswer(question, response(Rcode.NOERROR, two))?.kind).toBe('ambiguous');
  });

  it('fails a CNAME loop as malformed', () => {
    const loop = [cname('www.example', 'b.example'), cname('b.example', 'WWW.example')];
    expect(classifyAnswer(question, response(Rcode.NOERROR, loop))?.kind).toBe('malformed');
  });

  it(`follows ${MAX_CHAIN_LINKS} CNAME links and fails one more as malformed`, () => {
    const chainOf = (links: number) => {
      const name = (i: number) => (i === 0 ? 'www.example' : `c${i}.example`);
      return [
        ...Array.from({ length: links }, (_, i) => cname(name(i), name(i + 1))),
        a(name(links)),
      ];
    };
    expect(
      classifyAnswer(question, response(Rcode.NOERROR, chainOf(MAX_CHAIN_LINKS))),
    ).toBeUndefined();
    expect(
      classifyAnswer(question, response(Rcode.NOERROR, chainOf(MAX_CHAIN_LINKS + 1)))?.kind,
    ).toBe('malformed');
  });

  it('fails a record of another class in the answer as malformed', () => {
    const mixed = [
      a('www.example'),
      { ...a('www.example', '203.0.113.9'), class: 'CH' } as DnsRecord,
    ];
    expect(classifyAnswer(question, response(Rcode.NOERROR, mixed))?.kind).toBe('malformed');
  });

  it('accepts a CH answer to a CH question', () => {
    const chaos = { ...question, class: 'CH' } as DnsQuestion;
    const record = { ...a('www.example'), class: 'CH' } as DnsRecord;
    expect(sanitizeAnswer(chaos, response(Rcode.NOERROR, [record])).ok).toBe(true);
  });

  it('fails NXDOMAIN that carries data for the name as malformed', () => {
    expect(
      classifyAnswer(question, response(Rcode.NXDOMAIN, [a('www.example')], [soa('example')]))
        ?.kind,
    ).toBe('malformed');
  });
});
