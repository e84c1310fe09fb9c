import { describe, expect, it } from 'vitest';
import { parseWireQuery } from '../../src/dns/query-parser';
import { bytes, header, name, question, rr, validQuery } from './wire';

describe('parseWireQuery rejects bytes that are not a DNS message', () => {
  it('answers 400 for an empty message', () => {
    expect(parseWireQuery(new Uint8Array(0))).toMatchObject({ kind: 'reject', status: 400 });
  });

  it('answers 400 for fewer than 12 bytes', () => {
    expect(parseWireQuery(validQuery().subarray(0, 11))).toMatchObject({
      kind: 'reject',
      status: 400,
    });
  });

  it('answers 413 for more than 65535 bytes', () => {
    expect(parseWireQuery(new Uint8Array(65536))).toMatchObject({ kind: 'reject', status: 413 });
  });

  it('answers 400 when the header counts more records than the message holds', () => {
    const query = bytes(header({ an: 1 }), question(name('a', 'test')));
    expect(parseWireQuery(query)).toMatchObject({ kind: 'reject', status: 400 });
  });

  it('answers 400 when a record does not match its RDLENGTH', () => {
    const query = bytes(
      header({ ar: 1 }),
      question(name('a', 'test')),
      rr(name('a', 'test'), 1, [192, 0, 2, 1, 7], { rdlength: 5 }),
    );
    expect(parseWireQuery(query)).toMatchObject({ kind: 'reject', status: 400 });
  });
});
