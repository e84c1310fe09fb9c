import { describe, expect, it } from 'vitest';
import { decodeMessage, FLAGS, optionParts, optRecords } from '../../src/dns/codec';
import { parseWireQuery } from '../../src/dns/query-parser';
import { bytes, header, name, opt, question } from './wire';

const ecs: [number, number[]] = [8, [0, 1, 24, 0, 198, 51, 100]];
const cookie: [number, number[]] = [10, [1, 2, 3, 4, 5, 6, 7, 8]];
const padding: [number, number[]] = [12, [0, 0, 0, 0]];

function parse(message: Uint8Array) {
  const result = parseWireQuery(message);
  if (result.kind !== 'query') throw new Error(`expected a query, got ${JSON.stringify(result)}`);
  return result.query;
}

describe('parseWireQuery builds a clean upstream query', () => {
  const query = parse(
    bytes(
      header({ id: 0x7777, flags: 0x0110, ar: 1 }),
      question(name('WwW', 'Example', 'TEST'), 28),
      opt({ udp: 4096, flags: 0x8000, options: [ecs, cookie, padding] }),
    ),
  );
  const upstream = decodeMessage(query.upstreamQuery);

  it('reads the client query fields', () => {
    expect(query).toMatchObject({
      id: 0x7777,
      name: 'www.example.test',
      questionName: 'WwW.Example.TEST',
      type: 'AAAA',
      qclass: 'IN',
      recursionDesired: true,
      checkingDisabled: true,
      dnssecOk: true,
      edns: { udpPayloadSize: 4096, padded: true },
    });
  });

  it('sends ID 0 with RD and the client CD bit, and the lower-cased question', () => {
    expect(upstream.id).toBe(0);
    expect((upstream.flags ?? 0) & FLAGS.RECURSION_DESIRED).not.toBe(0);
    expect((upstream.flags ?? 0) & FLAGS.CHECKING_DISABLED).not.toBe(0);
    expect(upstream.questions).toEqual([{ name: 'www.example.test', type: 'AAAA', class: 'IN' }]);
  });

  it('sends a fresh OPT with the DO bit and no client options (no ECS, cookie or padding)', () => {
    const [upstreamOpt] = optRecords(upstream);
    expect(upstreamOpt?.flag_do).toBe(true);
    expect(upstreamOpt?.options.map((o) => optionParts(o).code)).toEqual([]);
  });

  it('sets RD upstream even when the client did not ask for recursion', () => {
    const plain = parse(bytes(header({ flags: 0 }), question(name('a', 'test'))));
    expect(plain.recursionDesired).toBe(false);
    expect(plain.edns).toBeNull();
    expect((decodeMessage(plain.upstreamQuery).flags ?? 0) & FLAGS.RECURSION_DESIRED).not.toBe(0);
  });

  it('names the root "." and HTTPS the way dns-packet does', () => {
    expect(parse(bytes(header(), question([0], 2))).name).toBe('.');
    expect(parse(bytes(header(), question(name('a', 'test'), 65))).type).toBe('UNKNOWN_65');
  });

  it('reads a payload size below 512 as 512', () => {
    const small = parse(bytes(header({ ar: 1 }), question(name('a', 'test')), opt({ udp: 100 })));
    expect(small.edns).toEqual({ udpPayloadSize: 512, padded: false });
  });
});
