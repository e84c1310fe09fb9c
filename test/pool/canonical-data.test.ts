import { describe, expect, it } from 'vitest';
import {
  canonicalData,
  canonicalIpv4,
  canonicalIpv6,
  canonicalName,
  recordKey,
} from '../../src/pool/canonical-data';

describe('canonicalIpv6', () => {
  it('collapses full, compressed, mixed-case and zero-padded spellings to one form', () => {
    const spellings = [
      '2001:0db8:0000:0000:0000:0000:0000:0001',
      '2001:db8:0:0:0:0:0:1',
      '2001:DB8::1',
      '2001:0DB8:0::0:01',
      '2001:db8::0:0:1',
    ];
    expect(new Set(spellings.map(canonicalIpv6))).toEqual(new Set(['2001:db8::1']));
  });

  it('compresses the longest zero run, the leftmost one on ties', () => {
    expect(canonicalIpv6('2001:db8:0:0:1:0:0:0')).toBe('2001:db8:0:0:1::');
    expect(canonicalIpv6('2001:0:0:1:0:0:1:1')).toBe('2001::1:0:0:1:1');
    expect(canonicalIpv6('0:0:0:0:0:0:0:0')).toBe('::');
    expect(canonicalIpv6('0:0:0:0:0:0:0:1')).toBe('::1');
  });

  it('never uses :: for a single zero group', () => {
    expect(canonicalIpv6('2001:db8:0:1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
    expect(canonicalIpv6('2001:db8::1:1:1:1:1')).toBe('2001:db8:0:1:1:1:1:1');
  });

  it('reads embedded IPv4 and writes IPv4-mapped addresses with a dotted tail', () => {
    expect(canonicalIpv6('::ffff:192.0.2.1')).toBe('::ffff:192.0.2.1');
    expect(canonicalIpv6('::FFFF:c000:0201')).toBe('::ffff:192.0.2.1');
    expect(canonicalIpv6('0:0:0:0:0:ffff:192.000.002.001')).toBe('::ffff:192.0.2.1');
    expect(canonicalIpv6('64:ff9b::192.0.2.33')).toBe('64:ff9b::c000:221');
  });

  it('rejects text that is not an IPv6 address', () => {
    for (const bad of [
      '',
      ':',
      '1:2:3:4:5:6:7',
      '1:2:3:4:5:6:7:8:9',
      '1::2::3',
      '1:::2',
      '12345::1',
      'fe80::1%eth0',
      '::ffff:256.0.0.1',
      '::1.2.3.4:1',
      'g::1',
    ]) {
      expect(canonicalIpv6(bad), bad).toBeNull();
    }
  });
});

describe('canonicalIpv4', () => {
  it('normalises leading zeros and rejects anything but a dotted quad', () => {
    expect(canonicalIpv4('192.000.002.001')).toBe('192.0.2.1');
    expect(canonicalIpv4('192.0.2.1')).toBe('192.0.2.1');
    for (const bad of ['192.0.2', '192.0.2.256', '192.0.2.1.', '0x1.0.0.1', '1.2.3.0004']) {
      expect(canonicalIpv4(bad), bad).toBeNull();
    }
  });
});

describe('canonicalName', () => {
  it('lower-cases ASCII and drops the trailing dot', () => {
    expect(canonicalName('WWW.Example.COM.')).toBe('www.example.com');
    expect(canonicalName('www.example.com')).toBe('www.example.com');
    expect(canonicalName('.')).toBe('.');
    expect(canonicalName('')).toBe('.');
  });
});

describe('canonicalData', () => {
  it('makes CNAME targets equal regardless of case and trailing dot', () => {
    expect(canonicalData('CNAME', 'Edge.Example.NET.')).toBe(
      canonicalData('CNAME', 'edge.example.net'),
    );
  });

  it('serialises other data with sorted keys and bytes as hex', () => {
    const a = canonicalData('MX', { preference: 10, exchange: 'Mail.Example.' });
    const b = canonicalData('MX', { exchange: 'mail.example', preference: 10 });
    expect(a).toBe(b);
    const key = { flags: 257, algorithm: 13, key: new Uint8Array([0xde, 0xad]) };
    expect(canonicalData('DNSKEY', key)).toBe('{"algorithm":13,"flags":257,"key":0xdead}');
  });

  it('treats TXT strings and their bytes as the same data', () => {
    expect(canonicalData('TXT', 'hello')).toBe(
      canonicalData('TXT', [new TextEncoder().encode('hello')]),
    );
    expect(canonicalData('TXT', ['a', 'b'])).not.toBe(canonicalData('TXT', ['ab']));
  });

  it('keys records by owner, type and canonical data', () => {
    expect(recordKey('A.Example.', 'aaaa', '2001:DB8::0:1')).toBe(
      recordKey('a.example', 'AAAA', '2001:db8::1'),
    );
    expect(recordKey('a.example', 'A', '192.0.2.1')).not.toBe(
      recordKey('b.example', 'A', '192.0.2.1'),
    );
  });
});
