import { describe, expect, it } from 'vitest';
import {
  type DnsMessage,
  decodeMessage,
  encodeMessage,
  FLAGS,
  makeOption,
  optionParts,
  optRecords,
} from '../../src/dns/codec';
import { RESPONSE_PADDING_BLOCK } from '../../src/dns/edns';
import { type DnsQuery, parseWireQuery } from '../../src/dns/query-parser';
import { buildClientResponse, EDE, readExtendedErrors } from '../../src/dns/responses';
import { bytes, header, idOf, name, opt, question } from './wire';

function clientQuery(options: { edns?: boolean; padded?: boolean; id?: number } = {}): DnsQuery {
  const ednsOptions: Array<[number, number[]]> = options.padded ? [[12, [0, 0, 0, 0]]] : [];
  const message = options.edns
    ? bytes(
        header({ id: options.id ?? 0xabcd, flags: 0x0100, ar: 1 }),
        question(name('WWW', 'example', 'test')),
        opt({ flags: 0x8000, options: ednsOptions }),
      )
    : bytes(
        header({ id: options.id ?? 0xabcd, flags: 0x0100 }),
        question(name('WWW', 'example', 'test')),
      );
  const result = parseWireQuery(message);
  if (result.kind !== 'query') throw new Error('test query did not parse');
  return result.query;
}

/** An upstream answer as a transport would decode it: ID 0, its own OPT with ECS and a cookie. */
const upstream: DnsMessage = decodeMessage(
  encodeMessage({
    id: 0,
    type: 'response',
    flags: FLAGS.RECURSION_DESIRED | FLAGS.RECURSION_AVAILABLE | FLAGS.AUTHENTIC_DATA,
    questions: [{ name: 'www.example.test', type: 'A', class: 'IN' }],
    answers: [
      { name: 'www.example.test', type: 'CNAME', ttl: 300, data: 'example.test' },
      { name: 'example.test', type: 'A', ttl: 120, data: '192.0.2.1' },
    ],
    authorities: [{ name: 'example.test', type: 'NS', ttl: 3600, data: 'ns.example.test' }],
    additionals: [
      { name: 'ns.example.test', type: 'A', ttl: 3600, data: '192.0.2.53' },
      {
        name: '.',
        type: 'OPT',
        udpPayloadSize: 4096,
        extendedRcode: 0,
        ednsVersion: 0,
        flags: 0,
        flag_do: false,
        options: [
          { code: 8, family: 1, sourcePrefixLength: 24, scopePrefixLength: 24, ip: '198.51.100.0' },
          makeOption(10, new Uint8Array(16)),
        ],
      },
    ],
  }),
);

describe('buildClientResponse', () => {
  it("echoes the client's ID and question spelling with QR, RD, RA and the upstream AD", () => {
    const response = buildClientResponse(clientQuery({ id: 0xabcd }), upstream);
    expect(idOf(response)).toBe(0xabcd);
    const message = decodeMessage(response);
    expect(message.type).toBe('response');
    expect(message.questions).toEqual([{ name: 'WWW.example.test', type: 'A', class: 'IN' }]);
    const flags = message.flags ?? 0;
    expect(flags & FLAGS.RECURSION_DESIRED).not.toBe(0);
    expect(flags & FLAGS.RECURSION_AVAILABLE).not.toBe(0);
    expect(flags & FLAGS.AUTHENTIC_DATA).not.toBe(0);
    expect(flags & FLAGS.CHECKING_DISABLED).toBe(0);
  });

  it('copies answers, authority and additional records but never the upstream OPT', () => {
    const message = decodeMessage(buildClientResponse(clientQuery({ edns: true }), upstream));
    expect(message.answers?.map((r) => r.type)).toEqual(['CNAME', 'A']);
    expect(message.authorities?.map((r) => r.type)).toEqual(['NS']);
    expect(message.additionals?.map((r) => r.type)).toEqual(['A', 'OPT']);
    const [ours] = optRecords(message);
    expect(ours?.udpPayloadSize).toBe(1232);
    expect(ours?.flag_do).toBe(true);
    expect(ours?.options.map((o) => optionParts(o).code)).toEqual([]);
  });

  it('sends no OPT at all to a client that did not use EDNS', () => {
    const message = decodeMessage(buildClientResponse(clientQuery(), upstream));
    expect(optRecords(message)).toEqual([]);
    expect(message.additionals?.map((r) => r.type)).toEqual(['A']);
  });

  it('carries Extended DNS Errors that decode back to the same code and text', () => {
    const errors = [
      { code: EDE.StaleAnswer, text: 'served stale: upstreams timed out' },
      { code: EDE.NetworkError },
    ];
    const response = buildClientResponse(clientQuery({ edns: true }), upstream, {
      extendedErrors: errors,
    });
    expect(readExtendedErrors(decodeMessage(response))).toEqual(errors);
  });

  it('drops Extended DNS Errors for a client without EDNS', () => {
    const response = buildClientResponse(clientQuery(), upstream, {
      extendedErrors: [{ code: EDE.StaleAnswer }],
    });
    expect(readExtendedErrors(decodeMessage(response))).toEqual([]);
  });

  it('pads to a multiple of 468 bytes only when the query was padded', () => {
    const padded = buildClientResponse(clientQuery({ edns: true, padded: true }), upstream, {
      extendedErrors: [{ code: EDE.StaleAnswer, text: 'x' }],
    });
    expect(padded.length % RESPONSE_PADDING_BLOCK).toBe(0);
    const unpadded = buildClientResponse(clientQuery({ edns: true }), upstream);
    expect(unpadded.length % RESPONSE_PADDING_BLOCK).not.toBe(0);
    const codes = optRecords(decodeMessage(padded))[0]?.options.map((o) => optionParts(o).code);
    expect(codes).toEqual([15, 12]);
  });

  it('applies ttlOverride to every record', () => {
    const message = decodeMessage(
      buildClientResponse(clientQuery({ edns: true }), upstream, { ttlOverride: 30 }),
    );
    const records = [
      ...(message.answers ?? []),
      ...(message.authorities ?? []),
      ...(message.additionals ?? []),
    ];
    const ttls = records
      .filter((r) => r.type !== 'OPT')
      .map((r) => ('ttl' in r ? r.ttl : undefined));
    expect(ttls).toEqual([30, 30, 30, 30]);
  });

  it('keeps the upstream RCODE', () => {
    const nxdomain: DnsMessage = { ...upstream, flags: (upstream.flags ?? 0) | 3, answers: [] };
    const message = decodeMessage(buildClientResponse(clientQuery(), nxdomain));
    expect((message.flags ?? 0) & 0xf).toBe(3);
  });
});
