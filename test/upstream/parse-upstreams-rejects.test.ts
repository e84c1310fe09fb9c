import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';

/** Parses and returns the ConfigError it must throw. */
function rejection(value: string, allowLoopback = false): ConfigError {
  try {
    parseUpstreams(value, { allowLoopback });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`accepted ${value}`);
}

describe('parseUpstreams rejects bad entries with a ConfigError naming UPSTREAMS and the entry', () => {
  it.each([
    ['an empty list', '', /the list is empty/],
    ['a blank list', '   ', /the list is empty/],
    ['an empty entry', 'https://a.example/dns-query,,tcp://b.example', /entry 2 is empty/],
    ['a trailing comma', 'tcp://b.example,', /entry 2 is empty/],
    ['an unknown scheme', 'x=ftp://a.example', /unknown scheme "ftp" in "x=ftp:\/\/a\.example"/],
    ['something that is not a URL', 'a.example:53', /"a\.example:53" is not a URL/],
    ['a non-numeric port', 'tcp://a.example:dns', /bad port "dns" in "tcp:\/\/a\.example:dns"/],
    ['port 0', 'tcp://a.example:0', /bad port "0"/],
    ['a port above 65535', 'tls://a.example:65536', /bad port "65536"/],
    ['an empty port', 'tcp://a.example:', /bad port ""/],
    ['a missing host', 'tcp://:53', /no host in "tcp:\/\/:53"/],
    ['a bad host', 'tcp://a b.example', /bad host "a b\.example"/],
    ['a path after a tcp address', 'tcp://a.example:53/dns-query', /unexpected "\/dns-query"/],
    ['credentials', 'https://user:pw@a.example/dns-query', /credentials in/],
    ['an empty name', '=https://a.example/dns-query', /bad name ""/],
    ['a name with a space', 'my dns=https://a.example/dns-query', /bad name "my dns"/],
    ['a name with a quote', 'a"b=tcp://a.example', /bad name "a"b"/],
    ['a name starting with a dash', '-a=tcp://a.example', /bad name "-a"/],
  ])('rejects %s', (_what, value, message) => {
    const error = rejection(value);
    expect(error.key).toBe('UPSTREAMS');
    expect(error.message).toMatch(/^invalid configuration: UPSTREAMS: /);
    expect(error.message).toMatch(message);
  });

  it('rejects a duplicate name and names both entries', () => {
    const error = rejection('a=tcp://one.example,A=tls://two.example');
    expect(error.message).toMatch(
      /duplicate name "A" in "a=tcp:\/\/one\.example" and "A=tls:\/\/two\.example"/,
    );
  });

  it('rejects two unnamed upstreams on the same host because their default names collide', () => {
    expect(rejection('tcp://ns.example,tls://ns.example').message).toMatch(
      /duplicate name "ns\.example"/,
    );
  });

  it.each([
    'tcp://127.0.0.1:53',
    'tcp://127.1.2.3',
    'http://127.1/dns-query',
    'tcp://0x7f.0.0.1',
    'tls://[::1]',
    'tls://[0:0:0:0:0:0:0:1]:853',
    'tcp://[::ffff:127.0.0.1]',
    'https://localhost/dns-query',
    'https://LOCALHOST./dns-query',
    'tcp://db.localhost',
    'tcp://0.0.0.0',
  ])('rejects the loopback host in %s unless loopback is allowed', (entry) => {
    expect(rejection(entry).message).toMatch(/loopback host .* ALLOW_LOOPBACK_UPSTREAMS=true/);
    expect(parseUpstreams(entry, { allowLoopback: true })).toHaveLength(1);
  });
});
