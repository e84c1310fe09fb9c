import { describe, expect, it } from 'vitest';
import { decodeMessage, optRecords } from '../../src/dns/codec';
import { parseJsonQuery } from '../../src/dns/json-api';

const parse = (query: string) => parseJsonQuery(new URLSearchParams(query));

function ok(query: string) {
  const result = parse(query);
  if (!result.ok) throw new Error(result.error);
  return result.query;
}

describe('parseJsonQuery', () => {
  it('builds a query with ID 0, type A by default, lower case and no trailing dot', () => {
    const query = ok('name=WWW.Example.TEST.');
    expect(query).toMatchObject({
      id: 0,
      name: 'www.example.test',
      type: 'A',
      qclass: 'IN',
      recursionDesired: true,
      checkingDisabled: false,
      dnssecOk: false,
      edns: null,
    });
    expect(decodeMessage(query.upstreamQuery).questions).toEqual([
      { name: 'www.example.test', type: 'A', class: 'IN' },
    ]);
  });

  it('requires a name', () => {
    expect(parse('type=A')).toEqual({ ok: false, error: 'missing name parameter' });
    expect(parse('name=')).toMatchObject({ ok: false });
  });

  it('accepts a 63-octet label and refuses a 64-octet one', () => {
    expect(parse(`name=${'a'.repeat(63)}.test`).ok).toBe(true);
    expect(parse(`name=${'a'.repeat(64)}.test`)).toMatchObject({ ok: false, error: /label/ });
  });

  it('accepts a 255-octet name and refuses a 256-octet one', () => {
    const label = 'a'.repeat(63);
    // 3 × 64 + 62 + 1 (root) = 255 octets on the wire.
    expect(parse(`name=${label}.${label}.${label}.${'b'.repeat(61)}`).ok).toBe(true);
    expect(parse(`name=${label}.${label}.${label}.${'b'.repeat(62)}`)).toMatchObject({
      ok: false,
      error: /255/,
    });
  });

  it('refuses empty labels', () => {
    expect(parse('name=a..test')).toMatchObject({ ok: false, error: /empty label/ });
    expect(parse('name=.a.test')).toMatchObject({ ok: false, error: /empty label/ });
  });

  it('converts an IDN to punycode', () => {
    expect(ok('name=B%C3%BCcher.example').name).toBe('xn--bcher-kva.example');
  });

  it('refuses names that would be read as a URL host and port', () => {
    expect(parse('name=b%C3%BCcher.example:80').ok).toBe(false);
    expect(parse('name=a%20b.test').ok).toBe(false);
  });

  it('keeps the root and numeric-looking names as they are', () => {
    expect(ok('name=.&type=NS').name).toBe('.');
    expect(ok('name=1.2').name).toBe('1.2');
  });

  it('accepts the type by name, by number and by RFC 3597 spelling', () => {
    expect(ok('name=a.test&type=aaaa').type).toBe('AAAA');
    expect(ok('name=a.test&type=28').type).toBe('AAAA');
    expect(ok('name=a.test&type=HTTPS').type).toBe('UNKNOWN_65');
    expect(ok('name=a.test&type=65').type).toBe('UNKNOWN_65');
    expect(ok('name=a.test&type=TYPE65').type).toBe('UNKNOWN_65');
    expect(ok('name=a.test&type=MX').type).toBe('MX');
  });

  it('refuses unknown type names, numbers out of range and transfer types', () => {
    expect(parse('name=a.test&type=BOGUS')).toMatchObject({ ok: false, error: /type/ });
    expect(parse('name=a.test&type=65536')).toMatchObject({ ok: false });
    expect(parse('name=a.test&type=-1')).toMatchObject({ ok: false });
    expect(parse('name=a.test&type=AXFR')).toMatchObject({ ok: false });
    expect(parse('name=a.test&type=0')).toMatchObject({ ok: false });
  });

  it('reads cd and do as 1/true/0/false and forwards them upstream', () => {
    const query = ok('name=a.test&cd=1&do=true');
    expect(query).toMatchObject({ checkingDisabled: true, dnssecOk: true });
    const upstream = decodeMessage(query.upstreamQuery);
    expect((upstream.flags ?? 0) & 0x10).not.toBe(0);
    expect(optRecords(upstream)[0]?.flag_do).toBe(true);
    expect(ok('name=a.test&cd=0&do=false')).toMatchObject({
      checkingDisabled: false,
      dnssecOk: false,
    });
    expect(parse('name=a.test&do=yes')).toMatchObject({ ok: false, error: /do/ });
  });
});
