import { describe, expect, it } from 'vitest';
import { type DnsMessage, decodeMessage, encodeMessage } from '../../src/dns/codec';
import { parseJsonQuery, toJsonResponse } from '../../src/dns/json-api';
import { buildClientResponse, EDE } from '../../src/dns/responses';

function jsonQuery(query: string) {
  const result = parseJsonQuery(new URLSearchParams(query));
  if (!result.ok) throw new Error(result.error);
  return result.query;
}

const upstream = (message: DnsMessage) =>
  decodeMessage(encodeMessage({ id: 0, type: 'response', ...message }));

describe('toJsonResponse', () => {
  it('renders an A answer in the Google/Cloudflare shape', () => {
    const query = jsonQuery('name=a.test');
    const response = upstream({
      flags: 0x0180,
      questions: [{ name: 'a.test', type: 'A', class: 'IN' }],
      answers: [{ name: 'a.test', type: 'A', ttl: 300, data: '192.0.2.1' }],
    });
    expect(toJsonResponse(query, response)).toEqual({
      Status: 0,
      TC: false,
      RD: true,
      RA: true,
      AD: false,
      CD: false,
      Question: [{ name: 'a.test.', type: 1 }],
      Answer: [{ name: 'a.test.', type: 1, TTL: 300, data: '192.0.2.1' }],
    });
  });

  it('renders a CNAME chain in order with trailing dots', () => {
    const query = jsonQuery('name=www.a.test');
    const response = upstream({
      flags: 0x01a0,
      answers: [
        { name: 'www.a.test', type: 'CNAME', ttl: 60, data: 'edge.a.test' },
        { name: 'edge.a.test', type: 'CNAME', ttl: 60, data: 'a.test' },
        { name: 'a.test', type: 'A', ttl: 20, data: '192.0.2.7' },
      ],
    });
    const json = toJsonResponse(query, response);
    expect(json.AD).toBe(true);
    expect(json.Answer).toEqual([
      { name: 'www.a.test.', type: 5, TTL: 60, data: 'edge.a.test.' },
      { name: 'edge.a.test.', type: 5, TTL: 60, data: 'a.test.' },
      { name: 'a.test.', type: 1, TTL: 20, data: '192.0.2.7' },
    ]);
  });

  it('renders NXDOMAIN with the SOA in Authority and no Answer', () => {
    const query = jsonQuery('name=nope.a.test&type=AAAA');
    const response = upstream({
      flags: 0x0183,
      authorities: [
        {
          name: 'a.test',
          type: 'SOA',
          ttl: 900,
          data: {
            mname: 'ns.a.test',
            rname: 'hostmaster.a.test',
            serial: 2024010101,
            refresh: 7200,
            retry: 3600,
            expire: 1209600,
            minimum: 300,
          },
        },
      ],
    });
    const json = toJsonResponse(query, response);
    expect(json.Status).toBe(3);
    expect(json.Answer).toBeUndefined();
    expect(json.Question).toEqual([{ name: 'nope.a.test.', type: 28 }]);
    expect(json.Authority).toEqual([
      {
        name: 'a.test.',
        type: 6,
        TTL: 900,
        data: 'ns.a.test. hostmaster.a.test. 2024010101 7200 3600 1209600 300',
      },
    ]);
  });

  it('reads everything from a built response message alone, Extended DNS Errors as Comment', () => {
    const wire = jsonQuery('name=a.test');
    const query = { ...wire, edns: { udpPayloadSize: 1232, padded: false } };
    const built = buildClientResponse(
      query,
      upstream({
        flags: 0x0180,
        answers: [{ name: 'a.test', type: 'A', ttl: 300, data: '192.0.2.1' }],
      }),
      { extendedErrors: [{ code: EDE.StaleAnswer, text: 'stale' }], ttlOverride: 30 },
    );
    const json = toJsonResponse(decodeMessage(built));
    expect(json.Question).toEqual([{ name: 'a.test.', type: 1 }]);
    expect(json.Answer).toEqual([{ name: 'a.test.', type: 1, TTL: 30, data: '192.0.2.1' }]);
    expect(json.Additional).toBeUndefined();
    expect(json.Comment).toBe('EDE(3): stale');
  });
});
