import { describe, expect, it } from 'vitest';
import { decodeMessage, MalformedMessageError } from '../../src/dns/codec';
import { bytes, header, name, pointer, question, rr } from './wire';

const owner = name('a', 'test');
const response = (...records: number[][]) =>
  bytes(header({ flags: 0x8180, an: records.length }), question(owner), ...records);

function failure(message: Uint8Array): MalformedMessageError {
  try {
    decodeMessage(message);
  } catch (error) {
    if (error instanceof MalformedMessageError) return error;
    throw error;
  }
  throw new Error('decoded without error');
}

describe('decodeMessage holds upstream answers to the wire format', () => {
  it('decodes compressed names that point backwards', () => {
    const message = decodeMessage(response(rr(pointer(12), 5, [1, 98, ...pointer(12)])));
    expect(message.answers).toMatchObject([{ name: 'a.test', type: 'CNAME', data: 'b.a.test' }]);
  });

  it('refuses an NS target that runs past RDLENGTH, which dns-packet would accept', () => {
    const ns = rr(owner, 2, [...name('ns', 'test'), 0, 0], { rdlength: 4 });
    expect(failure(bytes(header({ flags: 0x8180, an: 1 }), question(owner), ns)).kind).toBe(
      'framing',
    );
  });

  it('refuses a CAA tag length beyond its RDATA', () => {
    expect(failure(response(rr(owner, 257, [0, 9, 105, 115]))).message).toMatch(/CAA/);
  });

  it("refuses a '.' inside a CNAME target label as a name error", () => {
    expect(failure(response(rr(owner, 5, name('x.y', 'test')))).kind).toBe('name');
  });

  it("allows a '.' in the first label of an SOA mailbox", () => {
    const soa = [...name('ns', 'test'), ...name('host.master', 'test'), ...new Array(20).fill(0)];
    const message = decodeMessage(response(rr(owner, 6, soa)));
    expect(message.answers?.[0]).toMatchObject({ data: { rname: 'host\\.master.test' } });
  });

  it('refuses a name that needs more than 127 compression pointer hops', () => {
    // Record 1 (owner: root, type NULL) holds a root name at offset 35 followed
    // by 200 pointers, each to the one before it; record 2's owner points at the last.
    const rdataStart = 12 + owner.length + 4 + 1 + 10;
    const chain = [0];
    for (let i = 0; i < 200; i++)
      chain.push(...pointer(i === 0 ? rdataStart : rdataStart + 1 + (i - 1) * 2));
    const last = rdataStart + 1 + 199 * 2;
    const message = bytes(
      header({ flags: 0x8180, an: 2 }),
      question(owner),
      rr([0], 10, chain),
      rr(pointer(last), 1, [192, 0, 2, 1]),
    );
    expect(failure(message).message).toMatch(/too many compression pointers/);
  });
});
