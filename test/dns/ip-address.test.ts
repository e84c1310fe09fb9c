import { describe, expect, it } from 'vitest';
import { type Ipv6Options, parseDottedQuad, parseIpv6Groups } from '../../src/dns/ip-address';

const ANY_TAIL: Ipv6Options = { ipv4Tail: { leadingZeros: true } };
const STRICT_TAIL: Ipv6Options = { ipv4Tail: { leadingZeros: false } };
const NO_TAIL: Ipv6Options = { ipv4Tail: null };

describe('parseDottedQuad', () => {
  it('reads four decimal octets, leading zeros as decimal by default', () => {
    expect(parseDottedQuad('192.0.2.1')).toEqual([192, 0, 2, 1]);
    expect(parseDottedQuad('192.000.002.010')).toEqual([192, 0, 2, 10]);
    expect(parseDottedQuad('0.0.0.0')).toEqual([0, 0, 0, 0]);
  });

  it('refuses leading zeros when asked to, but still takes a lone zero', () => {
    const strict = { leadingZeros: false };
    expect(parseDottedQuad('010.0.0.1', strict)).toBeNull();
    expect(parseDottedQuad('10.00.0.1', strict)).toBeNull();
    expect(parseDottedQuad('10.0.0.0', strict)).toEqual([10, 0, 0, 0]);
  });

  it('refuses anything that is not exactly four parts of one to three digits up to 255', () => {
    for (const bad of [
      '',
      '1.2.3',
      '1.2.3.4.5',
      '256.1.1.1',
      '0001.2.3.4',
      '0x7f.0.0.1',
      '1..2.3',
    ]) {
      expect(parseDottedQuad(bad)).toBeNull();
    }
  });
});

describe('parseIpv6Groups', () => {
  it('reads full, compressed and mixed-case spellings into eight groups', () => {
    const loopback = [0, 0, 0, 0, 0, 0, 0, 1];
    expect(parseIpv6Groups('::1', NO_TAIL)).toEqual(loopback);
    expect(parseIpv6Groups('0:0:0:0:0:0:0:1', NO_TAIL)).toEqual(loopback);
    expect(parseIpv6Groups('2001:DB8::Ab', NO_TAIL)).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0xab]);
    expect(parseIpv6Groups('::', NO_TAIL)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('lets :: stand for at least one zero group, and only once', () => {
    expect(parseIpv6Groups('1:2:3:4:5:6:7::', NO_TAIL)).toEqual([1, 2, 3, 4, 5, 6, 7, 0]);
    for (const bad of ['1:2:3:4:5:6:7:8::', '1::2::3', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9']) {
      expect(parseIpv6Groups(bad, NO_TAIL)).toBeNull();
    }
  });

  it('refuses bad groups and zone ids', () => {
    for (const bad of ['', 'g::1', '12345::1', 'fe80::1%eth0', '1:::2', ':1::2']) {
      expect(parseIpv6Groups(bad, ANY_TAIL)).toBeNull();
    }
  });

  it('reads a dotted IPv4 tail as the last two groups only when the caller allows it', () => {
    const mapped = [0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201];
    expect(parseIpv6Groups('::ffff:192.0.2.1', ANY_TAIL)).toEqual(mapped);
    expect(parseIpv6Groups('0:0:0:0:0:ffff:192.0.2.1', STRICT_TAIL)).toEqual(mapped);
    expect(parseIpv6Groups('::ffff:192.0.2.1', NO_TAIL)).toBeNull();
  });

  it('reads leading zeros in the IPv4 tail as decimal or refuses them, as the caller asks', () => {
    expect(parseIpv6Groups('::ffff:192.000.002.001', ANY_TAIL)).toEqual([
      0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201,
    ]);
    expect(parseIpv6Groups('::ffff:192.000.002.001', STRICT_TAIL)).toBeNull();
  });

  it('refuses a dotted quad anywhere but at the very end', () => {
    expect(parseIpv6Groups('192.0.2.1::', ANY_TAIL)).toBeNull();
    expect(parseIpv6Groups('::192.0.2.1:1', ANY_TAIL)).toBeNull();
    expect(parseIpv6Groups('1:2:3:4:5:6:7:192.0.2.1', ANY_TAIL)).toBeNull();
  });
});
