import { describe, expect, it } from 'vitest';
import { clientSubnet, withClientSubnet } from '../../src/dns/client-subnet';
import { decodeMessage, optionParts, optRecords } from '../../src/dns/codec';
import { buildUpstreamQuery } from '../../src/dns/upstream-query';

describe('client subnet (RFC 7871)', () => {
  it('truncates IPv4 to /24 and IPv6 to /56', () => {
    expect(clientSubnet('198.51.100.77')?.text).toBe('198.51.100.0/24');
    expect(clientSubnet('2001:db8:aaaa:bbcc:1::1')?.text).toBe('20010db8aaaabb::/56');
    expect(clientSubnet('2001:db8::1')?.address).toEqual(
      new Uint8Array([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0]),
    );
  });

  it('refuses things that are not addresses', () => {
    for (const bad of [
      '',
      'unknown',
      '256.1.1.1',
      '1.2.3',
      '1::2::3',
      'g::1',
      '1:2:3:4:5:6:7:8:9',
    ]) {
      expect(clientSubnet(bad)).toBeNull();
    }
  });

  it('adds one ECS option carrying only the truncated bytes, scope 0', () => {
    const query = buildUpstreamQuery({
      name: 'a.test',
      type: 'A',
      qclass: 'IN',
      checkingDisabled: false,
      dnssecOk: false,
    });
    const subnet = clientSubnet('203.0.113.200');
    if (!subnet) throw new Error('no subnet');
    const [opt] = optRecords(decodeMessage(withClientSubnet(query, subnet)));
    const options = (opt?.options ?? []).map(optionParts).filter((o) => o.code === 8);
    expect(options).toHaveLength(1);
    expect([...(options[0]?.data ?? [])]).toEqual([0, 1, 24, 0, 203, 0, 113]);
  });
});
