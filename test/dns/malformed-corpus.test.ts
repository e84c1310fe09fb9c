import { describe, expect, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { parseWireQuery } from '../../src/dns/query-parser';
import { bytes, header, idOf, name, opt, pointer, question, rr, validQuery } from './wire';

const ID = 0x4242;
const owner = name('a', 'test');

interface Case {
  readonly name: string;
  readonly message: Uint8Array;
  readonly expected: { kind: 'reject'; status: 400 | 413 } | { kind: 'local'; rcode: string };
  /** The reason must name the actual defect, so a case cannot pass by failing for another reason. */
  readonly reason: RegExp;
}

const corpus: Case[] = [
  {
    name: 'a compression pointer loop',
    // The question name at offset 12 points at itself.
    message: bytes(header({ id: ID }), pointer(12), [0, 1, 0, 1]),
    reason: /point backwards/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'two names pointing at each other',
    message: bytes(
      header({ id: ID, qd: 2 }),
      [1, 97],
      pointer(20),
      [0, 1, 0, 1],
      [1, 98],
      pointer(12),
      [0, 1, 0, 1],
    ),
    reason: /point backwards/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a forward compression pointer',
    message: bytes(header({ id: ID, ar: 1 }), pointer(18), [0, 1, 0, 1], opt()),
    reason: /point backwards/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a compression pointer into the header',
    message: bytes(header({ id: ID }), pointer(4), [0, 1, 0, 1]),
    reason: /into the header/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a 64-byte label',
    message: bytes(header({ id: ID }), question(name('x'.repeat(64), 'test'))),
    reason: /label type 0x40/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a 256-byte name',
    message: bytes(
      header({ id: ID }),
      // 4 × (1 + 62) + 1 + 1 + 1 root = 255 would be legal; one more octet is not.
      question(name('x'.repeat(62), 'x'.repeat(62), 'x'.repeat(62), 'x'.repeat(62), 'xx')),
    ),
    reason: /longer than 255/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'QDCOUNT 0',
    message: bytes(header({ id: ID, qd: 0 })),
    reason: /QDCOUNT is 0/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'QDCOUNT 2',
    message: bytes(header({ id: ID, qd: 2 }), question(owner), question(owner, 28)),
    reason: /QDCOUNT is 2/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'QR=1',
    message: bytes(header({ id: ID, flags: 0x8000 }), question(owner)),
    reason: /QR bit/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'an RDLENGTH running past the end of the message',
    message: bytes(
      header({ id: ID, ar: 1 }),
      question(owner),
      rr(owner, 1, [192, 0, 2, 1], { rdlength: 40 }),
    ),
    reason: /RDATA runs past the end/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'an RDLENGTH too long for its A record',
    message: bytes(header({ id: ID, ar: 1 }), question(owner), rr(owner, 1, [192, 0, 2, 1, 0, 0])),
    reason: /RDLENGTH/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'an RDLENGTH too short for its A record',
    message: bytes(
      header({ id: ID, ar: 2 }),
      question(owner),
      rr(owner, 1, [192, 0, 2], { rdlength: 3 }),
      rr(owner, 1, [192, 0, 2, 2]),
    ),
    reason: /RDLENGTH|bad label/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a CNAME whose target runs past its RDLENGTH',
    message: bytes(
      header({ id: ID, an: 1 }),
      question(owner),
      rr(owner, 5, name('b', 'test'), { rdlength: 3 }),
      [0, 0, 0],
    ),
    reason: /label runs past the end/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'an OPT option running past its RDATA',
    message: bytes(
      header({ id: ID, ar: 1 }),
      question(owner),
      [0, 0, 41, 4, 208, 0, 0, 0, 0, 0, 4, 0, 12, 0, 8],
    ),
    reason: /RDLENGTH/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a truncated header',
    message: bytes(header({ id: ID }).slice(0, 7)),
    reason: /12-byte/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a truncated question',
    message: bytes(header({ id: ID }), question(owner).slice(0, 8)),
    reason: /question runs past the end/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'trailing garbage after the last record',
    message: bytes([...validQuery()], [0xde, 0xad]),
    reason: /trailing bytes/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'two OPT records',
    message: bytes(header({ id: ID, ar: 2 }), question(owner), opt(), opt({ udp: 4096 })),
    reason: /more than one OPT/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'an OPT record not owned by the root',
    message: bytes(header({ id: ID, ar: 1 }), question(owner), [1, 97], opt()),
    reason: /not owned by the root/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
  {
    name: 'the reserved 0x80 label type',
    message: bytes(header({ id: ID }), [0x80, 0], [0, 1, 0, 1]),
    reason: /label type 0x80/,
    expected: { kind: 'reject', status: 400 },
  },
  {
    name: 'a line feed inside a label',
    message: bytes(header({ id: ID }), question(name('a\n', 'test'))),
    reason: /line terminator/,
    expected: { kind: 'local', rcode: 'FORMERR' },
  },
];

describe('parseWireQuery answers every malformed packet of the corpus', () => {
  it.each(corpus)('answers $name as expected', ({ message, expected, reason }) => {
    const result = parseWireQuery(message);
    expect(result).toMatchObject(expected);
    if (result.kind === 'reject') expect(result.reason).toMatch(reason);
    if (result.kind === 'local') {
      expect(result.reason).toMatch(reason);
      expect(idOf(result.response)).toBe(ID);
      expect(decodeMessage(result.response).type).toBe('response');
    }
  });
});
