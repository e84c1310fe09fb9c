import { describe, expect, it } from 'vitest';
import { clientRateKey, UNKNOWN_CLIENT } from '../../src/tenants/client-rate-key';

describe('clientRateKey', () => {
  it('gives two addresses in one IPv6 /64 the same key', () => {
    const a = clientRateKey('2001:db8:1:2::1');
    const b = clientRateKey('2001:0DB8:0001:0002:ffff:ffff:ffff:fffe');
    expect(a).toBe(b);
    expect(a).toBe('v6:2001:db8:1:2::/64');
  });

  it('gives addresses in two different /64s different keys', () => {
    expect(clientRateKey('2001:db8:1:2::1')).not.toBe(clientRateKey('2001:db8:1:3::1'));
  });

  it('keys IPv4 by the whole address', () => {
    expect(clientRateKey('192.0.2.1')).toBe('v4:192.0.2.1');
    expect(clientRateKey('192.0.2.1')).not.toBe(clientRateKey('192.0.2.2'));
  });

  it('keys an IPv4-mapped IPv6 address like the IPv4 address it carries', () => {
    expect(clientRateKey('::ffff:192.0.2.1')).toBe('v4:192.0.2.1');
    expect(clientRateKey('::ffff:c000:201')).toBe('v4:192.0.2.1');
  });

  it('puts a missing or unparseable address into one shared bucket', () => {
    expect(clientRateKey(undefined)).toBe(UNKNOWN_CLIENT);
    expect(clientRateKey('not an address')).toBe(UNKNOWN_CLIENT);
    expect(clientRateKey('fe80::1%eth0')).toBe(UNKNOWN_CLIENT);
  });
});
