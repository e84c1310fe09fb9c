import { describe, expect, it } from 'vitest';
import {
  addressesProblem,
  checkUpstreamHosts,
  type HostAddresses,
  hostToResolve,
} from '../../src/tenants/upstream-host-check';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';

const PRODUCTION = { allowLoopback: false };
const DEVELOPMENT = { allowLoopback: true };

function found(...addresses: string[]): HostAddresses {
  return { ok: true, addresses };
}

describe('addressesProblem', () => {
  it.each([
    ['10.0.0.5', /private/],
    ['169.254.169.254', /link-local/],
    ['100.64.1.1', /carrier-grade|shared/i],
    ['fd00::53', /unique[- ]local/i],
    ['fe80::1', /link-local/],
    ['::ffff:10.0.0.1', /10\.0\.0\.1/],
    ['0.0.0.0', /.+/],
  ])('refuses a name that resolves to %s, naming host and address', (address, what) => {
    const problem = addressesProblem('db.example', found('9.9.9.9', address), DEVELOPMENT);
    expect(problem).toMatch(
      new RegExp(`^host "db\\.example" resolves to ${address.replace(/\./g, '\\.')}: `),
    );
    expect(problem).toMatch(what);
  });

  it('refuses loopback in production and allows it in development', () => {
    expect(addressesProblem('127.0.0.1.nip.io', found('127.0.0.1'), PRODUCTION)).toMatch(
      /resolves to 127\.0\.0\.1: .*ALLOW_LOOPBACK_UPSTREAMS/,
    );
    expect(addressesProblem('127.0.0.1.nip.io', found('127.0.0.1'), DEVELOPMENT)).toBeNull();
  });

  it('accepts public addresses only, and refuses a name that does not resolve', () => {
    expect(
      addressesProblem('dns.quad9.net', found('9.9.9.9', '2620:fe::fe'), PRODUCTION),
    ).toBeNull();
    expect(addressesProblem('gone.example', found(), PRODUCTION)).toMatch(/no A or AAAA/);
    expect(
      addressesProblem('gone.example', { ok: false, reason: 'A lookup failed' }, PRODUCTION),
    ).toMatch(/could not be resolved .*A lookup failed/);
  });
});

describe('hostToResolve', () => {
  it.each([
    ['tls://9.9.9.9:853', null],
    ['https://[2620:fe::fe]/dns-query', null],
    ['tls://localhost:853', null],
    ['https://dns.quad9.net/dns-query', 'dns.quad9.net'],
    ['tcp://Resolver.Example.:53', 'resolver.example'],
  ])('%s -> %s', (url, host) => {
    const [upstream] = parseUpstreams(url, { allowLoopback: true });
    if (!upstream) throw new Error('no upstream');
    expect(hostToResolve(upstream)).toBe(host);
  });
});

describe('checkUpstreamHosts', () => {
  it('names the field of every refused upstream and asks each name once', async () => {
    const upstreams = parseUpstreams(
      'a=tls://9.9.9.9:853,b=tls://bad.example:853,c=https://good.example/dns-query,d=tcp://bad.example:53',
      { allowLoopback: false },
    );
    const asked: string[] = [];
    const problems = await checkUpstreamHosts(
      upstreams,
      async (host) => {
        asked.push(host);
        return host === 'bad.example' ? found('192.168.1.1') : found('9.9.9.9');
      },
      PRODUCTION,
    );
    expect(asked.sort()).toEqual(['bad.example', 'good.example']);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/^upstreams\[1\]: host "bad\.example" resolves to 192\.168\.1\.1/);
    expect(problems[1]).toMatch(/^upstreams\[3\]: /);
  });
});
