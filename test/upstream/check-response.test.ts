import { describe, expect, it } from 'vitest';
import type { DnsMessage, DnsQuestion } from '../../src/dns/codec';
import { checkResponse } from '../../src/upstream/check-response';

const question: DnsQuestion = { name: 'www.example', type: 'A', class: 'IN' };
const ID = 4242;
/** QR is set by `type: 'response'`; these are the remaining header bits. */
const RD_RA = 0x0180;
const OPCODE_NOTIFY = 4 << 11;
const RCODE_FORMERR = 1;
const RCODE_NXDOMAIN = 3;

function response(changes: Partial<DnsMessage> = {}): DnsMessage {
  return { id: ID, type: 'response', flags: RD_RA, questions: [question], answers: [], ...changes };
}

describe('checkResponse accepts only a response to the query that was sent', () => {
  it('accepts the matching response', () => {
    expect(checkResponse(question, ID, response())).toBeUndefined();
  });

  it('rejects a message without QR', () => {
    expect(checkResponse(question, ID, response({ type: 'query' }))).toMatchObject({
      kind: 'mismatch',
      message: 'QR is not set',
    });
  });

  it('rejects another ID when an ID is expected', () => {
    expect(checkResponse(question, ID, response({ id: ID + 1 }))?.kind).toBe('mismatch');
  });

  it('ignores the ID when none is expected, as over DoH', () => {
    expect(checkResponse(question, undefined, response({ id: 7 }))).toBeUndefined();
  });

  it('rejects an opcode other than QUERY', () => {
    expect(checkResponse(question, ID, response({ flags: RD_RA | OPCODE_NOTIFY }))?.message).toBe(
      'opcode 4 is not QUERY',
    );
  });

  it('compares the name case-insensitively and ignores a trailing dot', () => {
    const mixed = response({ questions: [{ name: 'WWW.Example.', type: 'A', class: 'IN' }] });
    expect(checkResponse(question, ID, mixed)).toBeUndefined();
  });

  it.each<[string, DnsQuestion]>([
    ['another name', { name: 'mail.example', type: 'A', class: 'IN' }],
    ['another type', { name: 'www.example', type: 'AAAA', class: 'IN' }],
    ['another class', { name: 'www.example', type: 'A', class: 'CH' }],
  ])('rejects a question with %s', (_what, answered) => {
    expect(checkResponse(question, ID, response({ questions: [answered] }))?.kind).toBe('mismatch');
  });

  it('rejects two questions', () => {
    expect(
      checkResponse(question, ID, response({ questions: [question, question] }))?.message,
    ).toBe('2 questions instead of 1');
  });

  it('rejects a NOERROR or NXDOMAIN response without a question', () => {
    expect(checkResponse(question, ID, response({ questions: [] }))?.kind).toBe('mismatch');
    expect(
      checkResponse(question, ID, response({ questions: [], flags: RD_RA | RCODE_NXDOMAIN }))?.kind,
    ).toBe('mismatch');
  });

  it('lets an error response without a question through to the rcode check', () => {
    const formerr = response({ questions: [], flags: RD_RA | RCODE_FORMERR });
    expect(checkResponse(question, ID, formerr)).toBeUndefined();
  });
});
