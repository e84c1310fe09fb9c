import { describe, expect, it } from 'vitest';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';

const publicOnly = { allowLoopback: false };

describe('parseUpstreams accepts every documented form', () => {
  it('reads an https URL without a name and names it after its host', () => {
    expect(parseUpstreams('https://dns.example/dns-query', publicOnly)).toEqual([
      {
        name: 'dns.example',
        url: 'https://dns.example/dns-query',
        scheme: 'https',
        hostname: 'dns.example',
        port: 443,
      },
    ]);
  });

  it('reads name=url entries and keeps their order', () => {
    const upstreams = parseUpstreams(
      'one=https://a.example/dns-query, two=http://b.example:8080/q,three=tcp://c.example:5353,four=tls://d.example',
      publicOnly,
    );
    expect(upstreams.map((u) => [u.name, u.scheme, u.hostname, u.port])).toEqual([
      ['one', 'https', 'a.example', 443],
      ['two', 'http', 'b.example', 8080],
      ['three', 'tcp', 'c.example', 5353],
      ['four', 'tls', 'd.example', 853],
    ]);
  });

  it('defaults tcp to port 53 and tls to port 853', () => {
    const [tcp, tls] = parseUpstreams('tcp://ns1.example,tls://ns2.example', publicOnly);
    expect(tcp).toMatchObject({ port: 53, url: 'tcp://ns1.example:53' });
    expect(tls).toMatchObject({ port: 853, url: 'tls://ns2.example:853' });
  });

  it('defaults http to port 80', () => {
    expect(parseUpstreams('http://dns.example/dns-query', publicOnly)[0]?.port).toBe(80);
  });

  it('keeps the query string of a DoH URL and does not mistake its = for a name', () => {
    const [upstream] = parseUpstreams('https://dns.example/dns-query?tenant=a', publicOnly);
    expect(upstream).toMatchObject({
      name: 'dns.example',
      url: 'https://dns.example/dns-query?tenant=a',
    });
  });

  it('accepts a trailing slash after a tcp address', () => {
    expect(parseUpstreams('tcp://ns.example:53/', publicOnly)[0]?.url).toBe('tcp://ns.example:53');
  });

  it('accepts IPv6 literals and strips the brackets from the socket hostname', () => {
    const [upstream] = parseUpstreams('tls://[2001:db8::53]:853', publicOnly);
    expect(upstream).toMatchObject({
      name: '[2001:db8::53]',
      hostname: '2001:db8::53',
      port: 853,
      url: 'tls://[2001:db8::53]:853',
    });
  });

  it('accepts upper-case schemes and surrounding whitespace', () => {
    const [upstream] = parseUpstreams('  q = TCP://ns.example:53  ', publicOnly);
    expect(upstream).toMatchObject({ name: 'q', scheme: 'tcp', port: 53 });
  });

  it('accepts names with letters, digits, dots, dashes and underscores', () => {
    expect(parseUpstreams('a1.b-c_d=tcp://ns.example', publicOnly)[0]?.name).toBe('a1.b-c_d');
  });

  it('accepts loopback hosts when loopback is allowed', () => {
    const upstreams = parseUpstreams(
      'v4=tcp://127.0.0.1:5300,v6=tcp://[::1]:5300,name=http://localhost:8080/dns-query',
      { allowLoopback: true },
    );
    expect(upstreams.map((u) => u.hostname)).toEqual(['127.0.0.1', '::1', 'localhost']);
  });
});
