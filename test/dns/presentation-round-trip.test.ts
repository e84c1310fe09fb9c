import { describe, expect, it } from 'vitest';
import { type DnsRecord, decodeMessage, encodeMessage } from '../../src/dns/codec';
import { recordTypeNumber, renderRecordData } from '../../src/dns/presentation';

/**
 * Every rendered type goes through this one helper: encode it in a response,
 * decode it through the hardened decoder, render it.
 */
function render(record: DnsRecord): string {
  const wire = encodeMessage({ id: 1, type: 'response', answers: [record] });
  const [decoded] = decodeMessage(wire).answers ?? [];
  if (decoded === undefined) throw new Error('record did not survive the round trip');
  return renderRecordData(decoded);
}

/** Plain Uint8Arrays, as records restored from a cache hold them; encodeMessage converts them. */
const bytesOf = (...values: number[]) => new Uint8Array(values) as unknown as Buffer;
const base = { name: 'a.test', ttl: 60, class: 'IN' as const };

const cases: Array<[string, DnsRecord, string]> = [
  ['A', { ...base, type: 'A', data: '192.0.2.1' }, '192.0.2.1'],
  ['AAAA', { ...base, type: 'AAAA', data: '2001:db8::1' }, '2001:db8::1'],
  ['CNAME', { ...base, type: 'CNAME', data: 'b.test' }, 'b.test.'],
  ['DNAME', { ...base, type: 'DNAME', data: 'b.test' }, 'b.test.'],
  ['NS', { ...base, type: 'NS', data: 'ns.test' }, 'ns.test.'],
  ['PTR', { ...base, type: 'PTR', data: 'host.test' }, 'host.test.'],
  ['MX', { ...base, type: 'MX', data: { preference: 10, exchange: 'mx.test' } }, '10 mx.test.'],
  [
    'TXT',
    { ...base, type: 'TXT', data: ['v=spf1 -all', 'say "hi"\\ok', 'gr\u00fc\u00df'] },
    '"v=spf1 -all" "say \\"hi\\"\\\\ok" "gr\u00fc\u00df"',
  ],
  ['TXT with binary', { ...base, type: 'TXT', data: [bytesOf(0x61, 0x00, 0xff)] }, '"a\\000\\255"'],
  [
    'SOA',
    {
      ...base,
      type: 'SOA',
      data: {
        mname: 'ns.test',
        rname: 'host\\.master.test',
        serial: 1,
        refresh: 2,
        retry: 3,
        expire: 4,
        minimum: 5,
      },
    },
    'ns.test. host\\.master.test. 1 2 3 4 5',
  ],
  [
    'SRV',
    { ...base, type: 'SRV', data: { priority: 1, weight: 2, port: 443, target: 't.test' } },
    '1 2 443 t.test.',
  ],
  [
    'CAA',
    { ...base, type: 'CAA', data: { flags: 0, tag: 'issue', value: 'ca.test' } },
    '0 issue "ca.test"',
  ],
  ['HINFO', { ...base, type: 'HINFO', data: { cpu: 'RFC8482', os: '' } }, '"RFC8482" ""'],
  [
    'NAPTR',
    {
      ...base,
      type: 'NAPTR',
      data: {
        order: 100,
        preference: 10,
        flags: 'S',
        services: 'SIP+D2U',
        regexp: '',
        replacement: '_sip._udp.test',
      },
    },
    '100 10 "S" "SIP+D2U" "" _sip._udp.test.',
  ],
  [
    'RP',
    { ...base, type: 'RP', data: { mbox: 'admin.test', txt: 'info.test' } },
    'admin.test. info.test.',
  ],
  [
    'DS',
    {
      ...base,
      type: 'DS',
      data: { keyTag: 12345, algorithm: 13, digestType: 2, digest: bytesOf(0xab, 0xcd) },
    },
    '12345 13 2 ABCD',
  ],
  [
    'DNSKEY',
    { ...base, type: 'DNSKEY', data: { flags: 257, algorithm: 13, key: bytesOf(1, 2, 3) } },
    '257 3 13 AQID',
  ],
  [
    'RRSIG',
    {
      ...base,
      type: 'RRSIG',
      data: {
        typeCovered: 'A',
        algorithm: 13,
        labels: 2,
        originalTTL: 300,
        expiration: 1_700_000_000,
        inception: 1_699_000_000,
        keyTag: 4242,
        signersName: 'test',
        signature: bytesOf(0xff, 0xee),
      },
    },
    'A 13 2 300 20231114221320 20231103082640 4242 test. /+4=',
  ],
  [
    'NSEC',
    { ...base, type: 'NSEC', data: { nextDomain: 'b.test', rrtypes: ['A', 'RRSIG', 'NSEC'] } },
    'b.test. A RRSIG NSEC',
  ],
  [
    'NSEC3',
    {
      ...base,
      type: 'NSEC3',
      data: {
        algorithm: 1,
        flags: 0,
        iterations: 0,
        salt: bytesOf(),
        nextDomain: bytesOf(0xff, 0xff),
        rrtypes: ['A'],
      },
    },
    '1 0 0 - VVVG A',
  ],
  [
    'TLSA',
    {
      ...base,
      type: 'TLSA',
      data: { usage: 3, selector: 1, matchingType: 1, certificate: bytesOf(0x0a) },
    },
    '3 1 1 0A',
  ],
  [
    'SSHFP',
    { ...base, type: 'SSHFP', data: { algorithm: 4, hash: 2, fingerprint: 'AB'.repeat(32) } },
    `4 2 ${'AB'.repeat(32)}`,
  ],
  ['NULL (unknown form)', { ...base, type: 'NULL', data: bytesOf(1, 2) }, '\\# 2 0102'],
];

describe('renderRecordData renders every record type after a wire round trip', () => {
  it.each(cases)('renders %s', (_label, record, expected) => {
    expect(render(record)).toBe(expected);
  });

  it('renders HTTPS, which dns-packet does not know, in RFC 3597 form with type 65', () => {
    const wire = new Uint8Array([
      ...[0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0],
      ...[1, 97, 0, 0, 65, 0, 1, 0, 0, 0, 60, 0, 3, 0, 1, 0],
    ]);
    const [record] = decodeMessage(wire).answers ?? [];
    if (record === undefined) throw new Error('no record');
    expect(record.type).toBe('UNKNOWN_65');
    expect(recordTypeNumber(record.type)).toBe(65);
    expect(renderRecordData(record)).toBe('\\# 3 000100');
  });
});
