import { describe, expect, it } from 'vitest';
import { checkTenantUpstream } from '../../src/tenants/upstream-policy';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import type { Upstream } from '../../src/upstream/types';

/** Parses an entry the way the config does (loopback left to the policy) and checks it. */
function check(entry: string, allowLoopback = false): string | null {
  const [upstream] = parseUpstreams(entry, { allowLoopback: true });
  if (upstream === undefined) throw new Error(`no upstream in ${entry}`);
  return checkTenantUpstream(upstream, entry, { allowLoopback });
}

describe('checkTenantUpstream refuses every forbidden form with a message naming it', () => {
  it.each([
    [
      'the http scheme',
      'http://dns.example/dns-query',
      /scheme http not allowed \(only https, tls, tcp\)/,
    ],
    [
      'an https port other than 53/443/853',
      'https://dns.example:8443/dns-query',
      /port 8443 not allowed \(only 53, 443, 853\)/,
    ],
    ['a tcp port other than 53/443/853', 'tcp://dns.example:5353', /port 5353 not allowed/],
    ['a tls port other than 53/443/853', 'tls://dns.example:22', /port 22 not allowed/],
    [
      '10.0.0.1',
      'tcp://10.0.0.1',
      /host 10\.0\.0\.1 is a private address \(RFC 1918\) in 10\.0\.0\.0\/8/,
    ],
    [
      '172.16.5.5',
      'tcp://172.16.5.5',
      /host 172\.16\.5\.5 is a private address .* in 172\.16\.0\.0\/12/,
    ],
    [
      '192.168.1.1',
      'tls://192.168.1.1',
      /host 192\.168\.1\.1 is a private address .* in 192\.168\.0\.0\/16/,
    ],
    [
      '127.0.0.1',
      'tls://127.0.0.1',
      /host 127\.0\.0\.1 is a loopback address in 127\.0\.0\.0\/8 .*only allowed with ALLOW_LOOPBACK_UPSTREAMS=true/,
    ],
    [
      '[::1]',
      'tls://[::1]',
      /host \[::1\] is the loopback address ::1 .*only allowed with ALLOW_LOOPBACK_UPSTREAMS/,
    ],
    ['[fe80::1]', 'tcp://[fe80::1]', /host \[fe80::1\] is a link-local address .* in fe80::\/10/],
    ['[fc00::1]', 'tcp://[fc00::1]', /host \[fc00::1\] is a unique-local address .* in fc00::\/7/],
    ['[fd12:3456::1]', 'tcp://[fd12:3456::1]', /unique-local address/],
    [
      '[::ffff:127.0.0.1]',
      'tcp://[::ffff:127.0.0.1]',
      /host \[::ffff:127\.0\.0\.1\] is an IPv4-mapped address/,
    ],
    [
      '[::ffff:7f00:1]',
      'tcp://[::ffff:7f00:1]',
      /host \[::ffff:7f00:1\] is an IPv4-mapped address/,
    ],
    [
      '[::ffff:1.1.1.1]',
      'tcp://[::ffff:1.1.1.1]',
      /host \[::ffff:1\.1\.1\.1\] is an IPv4-mapped address \(RFC 4291 §2\.5\.5\.2\) in ::ffff:0:0\/96, not allowed \(write the IPv4 address itself\)/,
    ],
    ['[::7f00:1]', 'tcp://[::7f00:1]', /deprecated IPv4-compatible address .* in ::\/96/],
    ['[::]', 'tcp://[::]', /host \[::\] is the unspecified address/],
    ['[::ffff:0:a00:1] (IPv4-translated)', 'tcp://[::ffff:0:a00:1]', /IPv4-translated address/],
    ['[fec0::1]', 'tcp://[fec0::1]', /deprecated site-local address/],
    ['[100::1]', 'tcp://[100::1]', /discard-only address/],
    ['[64:ff9b:1::1]', 'tcp://[64:ff9b:1::1]', /local-use NAT64 address/],
    ['[3fff::1]', 'tcp://[3fff::1]', /documentation address \(RFC 9637\)/],
    ['[4000::1]', 'tcp://[4000::1]', /not a global unicast address \(2000::\/3/],
    [
      '[64:ff9b::a00:1]',
      'tcp://[64:ff9b::a00:1]',
      /host \[64:ff9b::a00:1\] reaches 10\.0\.0\.1 through NAT64 64:ff9b::\/96, a private address/,
    ],
    [
      '[2002:c0a8:0101::1]',
      'tcp://[2002:c0a8:0101::1]',
      /host \[2002:c0a8:0101::1\] reaches 192\.168\.1\.1 through 6to4 2002::\/16, a private address/,
    ],
    ['[2001::1] (Teredo)', 'tcp://[2001::1]', /IETF protocol assignment such as Teredo/],
    ['[2001:db8::1]', 'tcp://[2001:db8::1]', /documentation address \(RFC 3849\)/],
    ['[ff02::1]', 'tcp://[ff02::1]', /multicast address .* in ff00::\/8/],
    [
      '169.254.169.254',
      'https://169.254.169.254/dns-query',
      /host 169\.254\.169\.254 is a link-local address \(RFC 3927, cloud metadata\)/,
    ],
    [
      '100.64.0.1',
      'tcp://100.64.0.1',
      /host 100\.64\.0\.1 is a carrier-grade NAT address \(RFC 6598\) in 100\.64\.0\.0\/10/,
    ],
    ['0.0.0.0', 'tcp://0.0.0.0', /host 0\.0\.0\.0 is an unspecified "this network" address/],
    ['224.0.0.1', 'tcp://224.0.0.1', /multicast address \(RFC 5771\)/],
    ['255.255.255.255', 'tcp://255.255.255.255', /reserved or broadcast address/],
    [
      'decimal 2130706433',
      'tcp://2130706433',
      /host "2130706433" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    ],
    [
      'hex 0x7f000001',
      'tls://0x7f000001',
      /host "0x7f000001" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    ],
    [
      'mixed hex 0x7f.1',
      'tls://0x7f.1',
      /host "0x7f\.1" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    ],
    [
      'octal 0177.0.0.1',
      'tcp://0177.0.0.1',
      /host "0177\.0\.0\.1" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    ],
    [
      'short 127.1',
      'tcp://127.1',
      /host "127\.1" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    ],
    [
      'hex 0xa9fea9fe (metadata)',
      'https://0xa9fea9fe/dns-query',
      /\(the IPv4 address 169\.254\.169\.254\) is a link-local address/,
    ],
    ['octal 012.0.0.1', 'tcp://012.0.0.1', /\(the IPv4 address 10\.0\.0\.1\) is a private address/],
    [
      'a trailing dot on an address',
      'tcp://10.0.0.1.',
      /"10\.0\.0\.1\." \(the IPv4 address 10\.0\.0\.1\) is a private address/,
    ],
    [
      'fullwidth digits',
      'tcp://１２７.０.０.１',
      /host "１２７\.０\.０\.１" is not ASCII \(a URL parser reads it as 127\.0\.0\.1\)/,
    ],
    [
      'a percent-encoded host',
      'https://%31%32%37.0.0.1/dns-query',
      /host "%31%32%37\.0\.0\.1" is percent-encoded \(a URL parser reads it as 127\.0\.0\.1\)/,
    ],
    [
      'localhost',
      'https://localhost/dns-query',
      /host "localhost" is a loopback name \(RFC 6761 §6\.3\), only allowed with ALLOW_LOOPBACK_UPSTREAMS/,
    ],
    [
      'localhost with a trailing dot',
      'https://localhost./dns-query',
      /host "localhost\." is a loopback name/,
    ],
    ['foo.localhost', 'tls://foo.localhost', /host "foo\.localhost" is a loopback name/],
    [
      'printer.local',
      'tls://printer.local',
      /host "printer\.local" is a local-network name \(\.local\)/,
    ],
    [
      'metadata.google.internal',
      'https://metadata.google.internal/dns-query',
      /host "metadata\.google\.internal" is a local-network name \(\.internal\)/,
    ],
    ['router.home.arpa', 'tcp://router.home.arpa', /local-network name \(\.home\.arpa\)/],
    ['nas.lan', 'tcp://nas.lan', /local-network name \(\.lan\)/],
    ['a single-label name', 'https://metadata/dns-query', /host "metadata" is a single-label name/],
  ])('refuses %s', (_what, entry, message) => {
    expect(check(entry)).toMatch(message);
  });

  it.each([
    ['tcp://dns.123', /host "dns\.123" ends in a number but is not a valid IPv4 address/],
    ['tcp://1.2.3.4.5', /host "1\.2\.3\.4\.5" ends in a number but is not a valid IPv4 address/],
    [
      'tls://0x7f.0x1000000',
      /host "0x7f\.0x1000000" ends in a number but is not a valid IPv4 address/,
    ],
  ])('refuses %s, whose last label is a number but which is no IPv4 address', (entry, message) => {
    const host = entry.replace(/^\w+:\/\//, '');
    const upstream: Upstream = { name: 'x', url: entry, scheme: 'tcp', hostname: host, port: 53 };
    expect(checkTenantUpstream(upstream, entry, { allowLoopback: true })).toMatch(message);
  });

  it.each(['1.2.3.4::', '1::2::3', 'fe80::1%eth0', '12345::1'])(
    'refuses %s, which is no IPv6 address, even when the parser was bypassed',
    (host) => {
      const upstream: Upstream = {
        name: 'x',
        url: 'tcp://x',
        scheme: 'tcp',
        hostname: host,
        port: 53,
      };
      expect(checkTenantUpstream(upstream, `tcp://[${host}]:53`, { allowLoopback: true })).toMatch(
        /is not an IPv6 address/,
      );
    },
  );

  it('normalizes a tcp host itself when the upstream carries it as written', () => {
    // tcp:// and tls:// hosts are opaque to WHATWG URL: nothing upstream of the policy may have normalized them.
    const upstream: Upstream = {
      name: 'x',
      url: 'tcp://0x7f.1:53',
      scheme: 'tcp',
      hostname: '0x7f.1',
      port: 53,
    };
    expect(checkTenantUpstream(upstream, 'tcp://0x7f.1:53', { allowLoopback: false })).toMatch(
      /host "0x7f\.1" \(the IPv4 address 127\.0\.0\.1\) is a loopback address/,
    );
  });

  it('refuses userinfo even when the upstream was built without the parser', () => {
    const upstream: Upstream = {
      name: 'x',
      url: 'https://dns.example/dns-query',
      scheme: 'https',
      hostname: 'dns.example',
      port: 443,
    };
    const message = 'userinfo (user@host) not allowed in an upstream URL';
    expect(
      checkTenantUpstream(upstream, 'x=https://user@dns.example/dns-query', {
        allowLoopback: false,
      }),
    ).toBe(message);
    expect(checkTenantUpstream(upstream, 'tcp://user:pw@9.9.9.9', { allowLoopback: true })).toBe(
      message,
    );
  });

  it('refuses a backslash, which URL parsers read as a slash that moves the host', () => {
    const upstream: Upstream = {
      name: 'x',
      url: 'https://dns.example/@10.0.0.1/dns-query',
      scheme: 'https',
      hostname: 'dns.example',
      port: 443,
    };
    expect(
      checkTenantUpstream(upstream, 'https://dns.example\\@10.0.0.1/dns-query', {
        allowLoopback: false,
      }),
    ).toMatch(/backslash not allowed/);
  });

  it('judges the host in the raw entry even when the parsed upstream claims another', () => {
    const upstream: Upstream = {
      name: 'x',
      url: 'tcp://9.9.9.9:53',
      scheme: 'tcp',
      hostname: '9.9.9.9',
      port: 53,
    };
    expect(checkTenantUpstream(upstream, 'tcp://10.1.2.3:53', { allowLoopback: false })).toMatch(
      /host 10\.1\.2\.3 is a private address/,
    );
  });

  it('judges the port fetch() will use for DoH, not only the parsed one', () => {
    const upstream: Upstream = {
      name: 'x',
      url: 'https://dns.example:8443/dns-query',
      scheme: 'https',
      hostname: 'dns.example',
      port: 443,
    };
    expect(
      checkTenantUpstream(upstream, 'https://dns.example:8443/dns-query', { allowLoopback: false }),
    ).toMatch(/port 8443 not allowed/);
  });
});

describe('checkTenantUpstream allows public resolvers', () => {
  it.each([
    'https://dns.example/dns-query',
    'quad9=https://dns.quad9.net/dns-query',
    'https://DNS.Example./dns-query',
    'tls://1.1.1.1:853',
    'tls://1.1.1.1',
    'tcp://9.9.9.9:53',
    'tcp://9.9.9.9',
    'tls://[2606:4700::1111]:853',
    'tls://dns.example:443',
    'https://dns.example:853/dns-query',
    'tcp://[64:ff9b::101:101]',
    'tcp://[2002:101:101::1]',
    'tcp://8.8.8.8.',
    'tcp://172.32.0.1',
    'tcp://100.128.0.1',
  ])('allows %s', (entry) => {
    expect(check(entry)).toBeNull();
  });
});

describe('checkTenantUpstream allows loopback only in development', () => {
  it.each([
    'tcp://127.0.0.1:5353',
    'http://127.0.0.1:8080/dns-query',
    'tls://[::1]:8853',
    'https://localhost:8443/dns-query',
    'tcp://api.localhost:1053',
    'tcp://127.1:5353',
  ])('allows %s with allowLoopback on any port', (entry) => {
    expect(check(entry, true)).toBeNull();
    expect(check(entry, false)).toMatch(/only allowed with ALLOW_LOOPBACK_UPSTREAMS=true/);
  });

  it.each([
    ['a private address', 'tcp://10.0.0.1', /private address/],
    ['the unspecified address', 'tcp://0.0.0.0', /unspecified/],
    ['loopback spelled as IPv4-mapped IPv6', 'tcp://[::ffff:127.0.0.1]', /IPv4-mapped/],
    [
      'loopback reached through NAT64',
      'tcp://[64:ff9b::7f00:1]',
      /reaches 127\.0\.0\.1 through NAT64/,
    ],
    ['a link-local address', 'tcp://169.254.169.254', /link-local/],
    ['a public host over http', 'http://dns.example/dns-query', /scheme http not allowed/],
    ['a public host on another port', 'tcp://9.9.9.9:5353', /port 5353 not allowed/],
  ])('still refuses %s with allowLoopback', (_what, entry, message) => {
    expect(check(entry, true)).toMatch(message);
  });
});
