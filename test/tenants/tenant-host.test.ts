import { describe, expect, it } from 'vitest';
import { isValidTenantId, TENANT_ID_PATTERN, tenantFromHost } from '../../src/tenants/tenant-host';

const DOMAIN = 'doh.example.com';
const production = { development: false };
const development = { development: true };

describe('tenantFromHost', () => {
  it.each([
    ['doh.example.com', { kind: 'default' }],
    ['DOH.Example.COM', { kind: 'default' }],
    ['doh.example.com:443', { kind: 'default' }],
    ['doh.example.com.', { kind: 'default' }],
    ['acme.doh.example.com', { kind: 'tenant', id: 'acme' }],
    ['ACME.doh.example.com:8443', { kind: 'tenant', id: 'acme' }],
    ['a-1.doh.example.com', { kind: 'tenant', id: 'a-1' }],
    ['acme.doh.example.com.', { kind: 'tenant', id: 'acme' }],
    ['a.b.doh.example.com', { kind: 'unknown' }],
    ['-acme.doh.example.com', { kind: 'unknown' }],
    ['acme-.doh.example.com', { kind: 'unknown' }],
    ['_default.doh.example.com', { kind: 'unknown' }],
    ['.doh.example.com', { kind: 'unknown' }],
    [`${'a'.repeat(64)}.doh.example.com`, { kind: 'unknown' }],
    ['evildoh.example.com', { kind: 'unknown' }],
    ['example.com', { kind: 'unknown' }],
    ['doh.example.com.evil.test', { kind: 'unknown' }],
    ['other.test', { kind: 'unknown' }],
    ['doh.example.com:abc', { kind: 'unknown' }],
    ['', { kind: 'unknown' }],
    ['localhost', { kind: 'unknown' }],
    ['127.0.0.1:8787', { kind: 'unknown' }],
    ['[::1]:8787', { kind: 'unknown' }],
  ])('maps %s in production', (host, expected) => {
    expect(tenantFromHost(host, DOMAIN, production)).toEqual(expected);
  });

  it('answers unknown when there is no Host header', () => {
    expect(tenantFromHost(undefined, DOMAIN, development)).toEqual({ kind: 'unknown' });
  });

  it.each(['localhost', 'LOCALHOST:8787', '127.0.0.1', '127.0.0.1:8787', '[::1]', '[::1]:8787'])(
    'maps %s to the default tenant in development',
    (host) => {
      expect(tenantFromHost(host, DOMAIN, development)).toEqual({ kind: 'default' });
    },
  );

  it.each(['127.0.0.2', '[::1', '::1', 'acme.localhost', '0.0.0.0'])(
    'keeps %s unknown in development',
    (host) => {
      expect(tenantFromHost(host, DOMAIN, development)).toEqual({ kind: 'unknown' });
    },
  );

  it('still resolves tenants of the domain in development', () => {
    expect(tenantFromHost('acme.doh.example.com:8787', DOMAIN, development)).toEqual({
      kind: 'tenant',
      id: 'acme',
    });
  });

  it('accepts RESOLVER_DOMAIN in any case and with a trailing dot', () => {
    expect(tenantFromHost('acme.doh.example.com', 'DOH.example.com.', production)).toEqual({
      kind: 'tenant',
      id: 'acme',
    });
  });
});

describe('isValidTenantId', () => {
  it.each(['a', 'acme', 'a-b', '0', 'x1', 'a'.repeat(63)])('accepts %s', (id) => {
    expect(isValidTenantId(id)).toBe(true);
    expect(TENANT_ID_PATTERN.test(id)).toBe(true);
  });

  it.each(['', '_default', 'Acme', '-a', 'a-', 'a.b', 'a_b', 'a'.repeat(64), 'a b'])(
    'refuses %j',
    (id) => {
      expect(isValidTenantId(id)).toBe(false);
    },
  );
});
