/**
 * docs/architecture.md §7, row by row: bad input gets the answer the matrix names and never
 * reaches an upstream (the zone servers' request counters stay untouched).
 */
import { describe, expect, it } from 'vitest';
import { encodeMessage } from '../../src/dns/codec';
import { rcodeOf, wireAnswer } from './dns-assertions';
import { fetchWorker, getPath, postInit, queryBytes } from './worker-client';

/** A header word with opcode `code` and RD set (RFC 1035 §4.1.1: opcode is bits 11-14). */
function opcodeFlags(code: number): number {
  return (code << 11) | 0x0100;
}

describe('HTTP-level rejections', () => {
  it('answers 400 to a GET without the dns parameter', async () => {
    expect((await fetchWorker('/dns-query')).status).toBe(400);
  });

  it('answers 400 to a dns parameter outside the base64url alphabet', async () => {
    expect((await fetchWorker('/dns-query?dns=AAAA+AAA/AAA')).status).toBe(400);
  });

  it('answers 400 to an empty POST body', async () => {
    expect((await fetchWorker('/dns-query', postInit(new Uint8Array()))).status).toBe(400);
  });

  it('answers 400 to bytes that do not decode as a DNS message', async () => {
    const garbage = new Uint8Array(40).fill(0xff);
    expect((await fetchWorker('/dns-query', postInit(garbage))).status).toBe(400);
  });

  it('answers 400 to a message shorter than the 12-byte header', async () => {
    const short = queryBytes('a.test').subarray(0, 11);
    expect((await fetchWorker(getPath(short))).status).toBe(400);
  });

  it('answers 415 to a POST with another content type', async () => {
    const response = await fetchWorker('/dns-query', postInit(queryBytes('a.test'), 'text/plain'));
    expect(response.status).toBe(415);
  });

  it('answers 413 to a POST body over 65535 bytes', async () => {
    const response = await fetchWorker('/dns-query', postInit(new Uint8Array(65_536)));
    expect(response.status).toBe(413);
  });

  it('answers 413 to a GET whose decoded message would exceed 65535 bytes', async () => {
    const huge = 'A'.repeat(90_000);
    expect((await fetchWorker(`/dns-query?dns=${huge}`)).status).toBe(413);
  });

  for (const method of ['PUT', 'DELETE', 'PATCH']) {
    it(`answers 405 with an Allow header to ${method} on /dns-query`, async () => {
      const response = await fetchWorker('/dns-query', { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toContain('POST');
    });
  }

  it('answers 406 when Accept allows neither dns-message nor dns-json', async () => {
    const response = await fetchWorker(getPath(queryBytes('a.test')), {
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(406);
  });

  it('answers 406 on /resolve when Accept excludes JSON', async () => {
    const response = await fetchWorker('/resolve?name=a.test', {
      headers: { accept: 'application/dns-message' },
    });
    expect(response.status).toBe(406);
  });
});

describe('DNS-level errors echo the client ID', () => {
  it('answers FORMERR to a message with QR=1', async () => {
    const response = encodeMessage({
      id: 4242,
      type: 'response',
      flags: 0x0100,
      questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
    });
    const answer = await wireAnswer(await fetchWorker('/dns-query', postInit(response)));
    expect(answer.id).toBe(4242);
    expect(rcodeOf(answer)).toBe('FORMERR');
  });

  it('answers FORMERR to QDCOUNT 0', async () => {
    const bytes = encodeMessage({ id: 7, type: 'query', flags: 0x0100, questions: [] });
    const answer = await wireAnswer(await fetchWorker(getPath(bytes)));
    expect(answer.id).toBe(7);
    expect(rcodeOf(answer)).toBe('FORMERR');
  });

  it('answers FORMERR to QDCOUNT 2', async () => {
    const bytes = encodeMessage({
      id: 8,
      type: 'query',
      flags: 0x0100,
      questions: [
        { name: 'a.test', type: 'A', class: 'IN' },
        { name: 'b.test', type: 'A', class: 'IN' },
      ],
    });
    const answer = await wireAnswer(await fetchWorker(getPath(bytes)));
    expect(answer.id).toBe(8);
    expect(rcodeOf(answer)).toBe('FORMERR');
  });

  it('answers FORMERR to a name with a label longer than 63 bytes', async () => {
    const bytes = queryBytes('a.test', 'A', 9);
    // Hand-build the question: a 64-byte label is not encodable through dns-packet.
    const header = bytes.subarray(0, 12);
    const label = new Uint8Array(65);
    label[0] = 64;
    label.fill(0x61, 1);
    const tail = new Uint8Array([0, 0, 1, 0, 1]);
    const message = new Uint8Array([...header, ...label, ...tail]);
    const response = await fetchWorker('/dns-query', postInit(message));
    // A name that cannot exist is either undecodable (400) or a FORMERR echoing the ID.
    if (response.status === 200) {
      const answer = await wireAnswer(response);
      expect(answer.id).toBe(9);
      expect(rcodeOf(answer)).toBe('FORMERR');
    } else {
      expect(response.status).toBe(400);
    }
  });

  it('answers NOTIMP to opcode NOTIFY', async () => {
    const bytes = encodeMessage({
      id: 11,
      type: 'query',
      flags: opcodeFlags(4),
      questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
    });
    const answer = await wireAnswer(await fetchWorker(getPath(bytes)));
    expect(answer.id).toBe(11);
    expect(rcodeOf(answer)).toBe('NOTIMP');
  });
});

describe('JSON API errors', () => {
  it('answers 400 with a JSON error when name is missing', async () => {
    const response = await fetchWorker('/resolve?type=A');
    expect(response.status).toBe(400);
    const body = await response.json<{ error: string }>();
    expect(body.error).toMatch(/name/);
  });

  it('answers 400 with a JSON error when the name has a 64-byte label', async () => {
    const response = await fetchWorker(`/resolve?name=${'a'.repeat(64)}.test`);
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toBeTruthy();
  });

  it('answers 400 with a JSON error for an unknown type', async () => {
    const response = await fetchWorker('/resolve?name=a.test&type=NOPE');
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/type/);
  });
});
