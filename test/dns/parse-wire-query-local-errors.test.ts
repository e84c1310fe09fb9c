import { describe, expect, it } from 'vitest';
import { decodeMessage, optRecords } from '../../src/dns/codec';
import { EDE_OPTION_CODE, readExtendedErrors } from '../../src/dns/extended-errors';
import { parseWireQuery } from '../../src/dns/query-parser';
import { bytes, header, idOf, name, opt, question, rr } from './wire';

function local(query: Uint8Array) {
  const result = parseWireQuery(query);
  if (result.kind !== 'local') throw new Error(`expected a local answer, got ${result.kind}`);
  return { ...result, message: decodeMessage(result.response) };
}

const ID = 0xbeef;

describe('parseWireQuery answers rule breakers with a DNS error echoing the ID', () => {
  it('answers FORMERR to a message with QR set', () => {
    const answer = local(bytes(header({ id: ID, flags: 0x8100 }), question(name('a', 'test'))));
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
    expect((answer.message.flags ?? 0) & 0xf).toBe(1);
  });

  it('answers FORMERR to a query without a question', () => {
    const answer = local(bytes(header({ id: ID, qd: 0 })));
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
  });

  it('answers FORMERR to a query with two questions', () => {
    const query = bytes(
      header({ id: ID, qd: 2 }),
      question(name('a', 'test')),
      question(name('b', 'test')),
    );
    const answer = local(query);
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
    expect(answer.message.questions).toEqual([]);
  });

  it("answers FORMERR to a name with a '.' inside a label", () => {
    const answer = local(bytes(header({ id: ID }), question(name('a.b', 'test'))));
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
  });

  it('answers FORMERR to a label that is not valid UTF-8', () => {
    const badLabel = [2, 0xc3, 0x28, 4, 116, 101, 115, 116, 0];
    const answer = local(bytes(header({ id: ID }), question(badLabel)));
    expect(answer.rcode).toBe('FORMERR');
  });

  it('answers FORMERR to a name longer than 255 octets', () => {
    const labels = Array.from({ length: 5 }, () => 'x'.repeat(60));
    const answer = local(bytes(header({ id: ID }), question(name(...labels))));
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
  });

  it('answers FORMERR to a query with two OPT records', () => {
    const answer = local(
      bytes(header({ id: ID, ar: 2 }), question(name('a', 'test')), opt(), opt()),
    );
    expect(answer.rcode).toBe('FORMERR');
    expect(idOf(answer.response)).toBe(ID);
    expect(optRecords(answer.message)).toEqual([]);
  });

  it('answers FORMERR to an OPT record in the answer section', () => {
    const answer = local(bytes(header({ id: ID, an: 1 }), question(name('a', 'test')), opt()));
    expect(answer.rcode).toBe('FORMERR');
  });

  it('answers FORMERR to QTYPE OPT', () => {
    const answer = local(bytes(header({ id: ID }), question(name('a', 'test'), 41)));
    expect(answer.rcode).toBe('FORMERR');
  });

  it('answers NOTIMP to an opcode other than QUERY and echoes the opcode', () => {
    const notify = 4 << 11;
    const answer = local(bytes(header({ id: ID, flags: notify }), question(name('a', 'test'))));
    expect(answer.rcode).toBe('NOTIMP');
    expect(idOf(answer.response)).toBe(ID);
    expect(((answer.message.flags ?? 0) >> 11) & 0xf).toBe(4);
    expect((answer.message.flags ?? 0) & 0xf).toBe(4);
  });

  it('answers NOTIMP to a zone transfer', () => {
    const answer = local(bytes(header({ id: ID }), question(name('test'), 252)));
    expect(answer.rcode).toBe('NOTIMP');
  });

  it('answers BADVERS to EDNS version 1 with extended RCODE 1 and header RCODE 0', () => {
    const query = bytes(
      header({ id: ID, ar: 1 }),
      question(name('a', 'test')),
      opt({ version: 1 }),
    );
    const answer = local(query);
    expect(answer.rcode).toBe('BADVERS');
    expect(idOf(answer.response)).toBe(ID);
    expect((answer.message.flags ?? 0) & 0xf).toBe(0);
    const [responseOpt] = optRecords(answer.message);
    expect(responseOpt?.extendedRcode).toBe(1);
    expect(responseOpt?.ednsVersion).toBe(0);
  });

  it('answers REFUSED to a class dns-packet cannot encode', () => {
    const answer = local(bytes(header({ id: ID }), question(name('a', 'test'), 1, 254)));
    expect(answer.rcode).toBe('REFUSED');
  });

  it('explains the error in an Extended DNS Error when the client used EDNS', () => {
    const query = bytes(header({ id: ID, ar: 1 }), question(name('a', 'test'), 41), opt());
    const answer = local(query);
    expect(readExtendedErrors(answer.message)[0]?.text).toContain('QTYPE');
    expect(EDE_OPTION_CODE).toBe(15);
  });

  it('ignores records in the answer and authority sections of a query', () => {
    const query = bytes(
      header({ id: ID, an: 1, ns: 1 }),
      question(name('a', 'test')),
      rr(name('a', 'test'), 1, [192, 0, 2, 1]),
      rr(name('test'), 2, name('ns', 'test')),
    );
    const result = parseWireQuery(query);
    expect(result.kind).toBe('query');
    if (result.kind !== 'query') return;
    const upstream = decodeMessage(result.query.upstreamQuery);
    expect(upstream.answers).toEqual([]);
    expect(upstream.authorities).toEqual([]);
  });
});
