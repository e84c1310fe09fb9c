import { describe, expect, it } from 'vitest';
import { decodeMessage, FLAGS, optRecords } from '../../src/dns/codec';
import { RESPONSE_PADDING_BLOCK } from '../../src/dns/edns';
import { type DnsQuery, parseWireQuery } from '../../src/dns/query-parser';
import { buildErrorResponse, EDE, readExtendedErrors } from '../../src/dns/responses';
import { bytes, header, idOf, name, opt, question } from './wire';

function parse(message: Uint8Array): DnsQuery {
  const result = parseWireQuery(message);
  if (result.kind !== 'query') throw new Error('test query did not parse');
  return result.query;
}

const ednsQuery = parse(
  bytes(
    header({ id: 0x0102, flags: 0x0110, ar: 1 }),
    question(name('a', 'test')),
    opt({ options: [[12, []]] }),
  ),
);
const plainQuery = parse(bytes(header({ id: 0x0304 }), question(name('a', 'test'))));

describe('buildErrorResponse', () => {
  it('answers SERVFAIL with the ID, question, CD echoed and an EDE', () => {
    const response = buildErrorResponse(ednsQuery, 'SERVFAIL', [
      { code: EDE.NoReachableAuthority, text: 'all 2 upstreams failed' },
    ]);
    expect(idOf(response)).toBe(0x0102);
    expect(response.length % RESPONSE_PADDING_BLOCK).toBe(0);
    const message = decodeMessage(response);
    expect((message.flags ?? 0) & 0xf).toBe(2);
    expect((message.flags ?? 0) & FLAGS.CHECKING_DISABLED).not.toBe(0);
    expect(message.questions).toEqual([{ name: 'a.test', type: 'A', class: 'IN' }]);
    expect(readExtendedErrors(message)).toEqual([
      { code: EDE.NoReachableAuthority, text: 'all 2 upstreams failed' },
    ]);
  });

  it('answers REFUSED and NXDOMAIN by name', () => {
    expect((decodeMessage(buildErrorResponse(plainQuery, 'REFUSED')).flags ?? 0) & 0xf).toBe(5);
    expect((decodeMessage(buildErrorResponse(plainQuery, 'NXDOMAIN')).flags ?? 0) & 0xf).toBe(3);
  });

  it('splits an extended RCODE between the header and the OPT record', () => {
    const message = decodeMessage(buildErrorResponse(ednsQuery, 'BADCOOKIE'));
    expect((message.flags ?? 0) & 0xf).toBe(23 & 0xf);
    expect(optRecords(message)[0]?.extendedRcode).toBe(23 >> 4);
  });

  it('falls back to SERVFAIL for an extended RCODE without EDNS and for unknown names', () => {
    expect((decodeMessage(buildErrorResponse(plainQuery, 'BADVERS')).flags ?? 0) & 0xf).toBe(2);
    expect((decodeMessage(buildErrorResponse(plainQuery, 'NOPE')).flags ?? 0) & 0xf).toBe(2);
  });
});
