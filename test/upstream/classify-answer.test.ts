import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsQuestion, DnsRecord } from '../../src/dns/codec';
import { classifyAnswer } from '../../src/upstream/classify-answer';

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

describe('classifyAnswer accepts answers and valid negative answers only', () => {
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

  it('rejects addresses owned by a name off the chain', () => {
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

  it('terminates on a CNAME loop', () => {
    const loop = [cname('www.example', 'b.example'), cname('b.example', 'www.example')];
    expect(classifyAnswer(question, response(Rcode.NOERROR, loop))).toBeUndefined();
  });
});
