import { describe, expect, it } from 'vitest';
import {
  MAX_NAME_LIST_ENTRIES,
  MAX_TENANT_UPSTREAMS,
  type TenantConfigCheck,
  validateTenantConfig,
} from '../../src/tenants/tenant-config';
import { DEFAULT_FANOUT_SETTINGS, type FanoutSettings } from '../../src/upstream/fanout-settings';

const options = { allowLoopback: false, baseFanout: DEFAULT_FANOUT_SETTINGS };
const UPSTREAMS = ['quad9=https://dns.quad9.net/dns-query', 'one=tls://1.1.1.1:853'];

/** The errors of a config that must be refused. */
function errorsOf(input: unknown, base: FanoutSettings = DEFAULT_FANOUT_SETTINGS): string[] {
  const check: TenantConfigCheck = validateTenantConfig(input, { ...options, baseFanout: base });
  if (check.ok) throw new Error(`accepted ${JSON.stringify(input)}`);
  return check.errors;
}

describe('validateTenantConfig accepts a valid config', () => {
  it('fills every optional field with its default', () => {
    const check = validateTenantConfig({ upstreams: UPSTREAMS }, options);
    expect(check).toMatchObject({
      ok: true,
      config: {
        upstreams: UPSTREAMS,
        fanout: {},
        ecs: 'strip',
        rateLimit: { enabled: true },
        allow: [],
        deny: [],
      },
    });
  });

  it('returns the parsed upstreams next to the entries', () => {
    const check = validateTenantConfig({ upstreams: [' tcp://9.9.9.9 ', ...UPSTREAMS] }, options);
    if (!check.ok) throw new Error(check.errors.join('\n'));
    expect(check.config.upstreams[0]).toBe('tcp://9.9.9.9');
    expect(check.upstreams.map((u) => [u.name, u.scheme, u.hostname, u.port])).toEqual([
      ['9.9.9.9', 'tcp', '9.9.9.9', 53],
      ['quad9', 'https', 'dns.quad9.net', 443],
      ['one', 'tls', '1.1.1.1', 853],
    ]);
  });

  it('keeps every field it was given and normalizes the name lists', () => {
    const check = validateTenantConfig(
      {
        upstreams: UPSTREAMS,
        fanout: { mode: 'parallel', deadlineMs: 2000, maxInflight: 6 },
        ecs: 'truncate',
        rateLimit: { enabled: false },
        allow: ['CDN.Tracker.Example.'],
        deny: ['tracker.example', 'Tracker.example', 'bücher.example'],
      },
      options,
    );
    expect(check).toMatchObject({
      ok: true,
      config: {
        fanout: { mode: 'parallel', deadlineMs: 2000, maxInflight: 6 },
        ecs: 'truncate',
        rateLimit: { enabled: false },
        allow: ['cdn.tracker.example'],
        deny: ['tracker.example', 'xn--bcher-kva.example'],
      },
    });
  });

  it('accepts loopback upstreams only when allowLoopback is set', () => {
    const input = { upstreams: ['dev=tcp://127.0.0.1:5353'] };
    expect(validateTenantConfig(input, { ...options, allowLoopback: true }).ok).toBe(true);
    expect(errorsOf(input)).toEqual([
      'upstreams[0]: host 127.0.0.1 is a loopback address in 127.0.0.0/8 (RFC 1122), only allowed with ALLOW_LOOPBACK_UPSTREAMS=true (development)',
    ]);
  });
});

describe('validateTenantConfig names the field path of every error', () => {
  it.each([
    ['a non-object', [], 'config: expected a JSON object, got an array'],
    ['null', null, 'config: expected a JSON object, got null'],
    ['a missing upstreams', {}, 'upstreams: required (a list of "name=url" entries)'],
    [
      'a string upstreams',
      { upstreams: 'tcp://9.9.9.9' },
      'upstreams: expected an array of strings, got "tcp://9.9.9.9"',
    ],
    [
      'an empty upstreams',
      { upstreams: [] },
      `upstreams: 0 entries, expected 1..${MAX_TENANT_UPSTREAMS}`,
    ],
    [
      'an unknown field',
      { upstreams: UPSTREAMS, upstream: [] },
      'upstream: unknown field (expected upstreams, fanout, ecs, rateLimit, allow, deny)',
    ],
    [
      'an unknown fanout field',
      { upstreams: UPSTREAMS, fanout: { deadline: 1 } },
      'fanout.deadline: unknown field (expected mode, activeTierSize, batchSize, maxInflight, fallbackMs, staggerMs, deadlineMs)',
    ],
    [
      'an unknown rateLimit field',
      { upstreams: UPSTREAMS, rateLimit: { enabled: true, perMinute: 5 } },
      'rateLimit.perMinute: unknown field (expected enabled)',
    ],
    [
      'a non-object fanout',
      { upstreams: UPSTREAMS, fanout: 'fast' },
      'fanout: expected an object, got "fast"',
    ],
    [
      'a bad mode',
      { upstreams: UPSTREAMS, fanout: { mode: 'random' } },
      'fanout.mode: expected one of tiered, parallel, sequential, got "random"',
    ],
    [
      'a fractional maxInflight',
      { upstreams: UPSTREAMS, fanout: { maxInflight: 2.5 } },
      'fanout.maxInflight: expected a whole number in 1..6, got 2.5',
    ],
    [
      'a maxInflight above the connection limit',
      { upstreams: UPSTREAMS, fanout: { maxInflight: 7 } },
      'fanout.maxInflight: expected a whole number in 1..6, got 7',
    ],
    [
      'a string deadline',
      { upstreams: UPSTREAMS, fanout: { deadlineMs: '3000' } },
      'fanout.deadlineMs: expected a whole number in 100..25000, got "3000"',
    ],
    [
      'a negative fallback',
      { upstreams: UPSTREAMS, fanout: { fallbackMs: -1 } },
      'fanout.fallbackMs: expected a whole number in 0..25000, got -1',
    ],
    [
      'a bad ecs',
      { upstreams: UPSTREAMS, ecs: 'full' },
      'ecs: expected one of strip, truncate, got "full"',
    ],
    [
      'a boolean rateLimit',
      { upstreams: UPSTREAMS, rateLimit: false },
      'rateLimit: expected an object like {"enabled": true}, got false',
    ],
    [
      'a string rateLimit.enabled',
      { upstreams: UPSTREAMS, rateLimit: { enabled: 'yes' } },
      'rateLimit.enabled: expected true or false, got "yes"',
    ],
    [
      'a string allow',
      { upstreams: UPSTREAMS, allow: 'example' },
      'allow: expected an array of domain names, got "example"',
    ],
    [
      'a number in deny',
      { upstreams: UPSTREAMS, deny: ['ads.example', 7] },
      'deny[1]: expected a domain name, got 7',
    ],
    [
      'an empty label in deny',
      { upstreams: UPSTREAMS, deny: ['ads..example'] },
      'deny[0]: name has an empty label',
    ],
    [
      'a label over 63 octets in allow',
      { upstreams: UPSTREAMS, allow: [`${'a'.repeat(64)}.example`] },
      'allow[0]: label longer than 63 octets',
    ],
    [
      'the root in deny',
      { upstreams: UPSTREAMS, deny: ['.'] },
      'deny[0]: the root would match every name',
    ],
    [
      'a wildcard in deny',
      { upstreams: UPSTREAMS, deny: ['*.ads.example'] },
      'deny[0]: no wildcards; "ads.example" already matches its subdomains',
    ],
    [
      'a non-string upstream',
      { upstreams: [53] },
      'upstreams[0]: expected a "name=url" string, got 53',
    ],
    ['an empty upstream', { upstreams: [...UPSTREAMS, ' '] }, 'upstreams[2]: empty entry'],
    [
      'two upstreams in one entry',
      { upstreams: ['tcp://9.9.9.9,tcp://8.8.8.8'] },
      'upstreams[0]: one upstream per entry (a comma separates UPSTREAMS entries)',
    ],
    [
      'an unparsable upstream',
      { upstreams: ['x=ftp://a.example'] },
      'upstreams[0]: unknown scheme "ftp" in "x=ftp://a.example" (expected tcp, tls, http, https)',
    ],
    [
      'credentials in an upstream',
      { upstreams: ['https://u:p@a.example/dns-query'] },
      'upstreams[0]: credentials in "https://u:p@a.example/dns-query" are not supported',
    ],
    [
      'a forbidden port',
      { upstreams: [...UPSTREAMS, 'tcp://9.9.9.9:8080'] },
      'upstreams[2]: port 8080 not allowed (only 53, 443, 853)',
    ],
    [
      'a private upstream',
      { upstreams: ['tcp://10.0.0.1'] },
      'upstreams[0]: host 10.0.0.1 is a private address (RFC 1918) in 10.0.0.0/8, not allowed',
    ],
    [
      'a duplicate upstream name',
      { upstreams: ['a=tcp://9.9.9.9', 'A=tls://1.1.1.1'] },
      'upstreams[1]: duplicate name "A" (also upstreams[0])',
    ],
  ])('reports %s', (_what, input, error) => {
    expect(errorsOf(input)).toEqual([error]);
  });

  it('reports every bad field at once', () => {
    expect(
      errorsOf({ upstreams: ['http://a.example/dns-query'], ecs: 1, deny: [''], extra: 1 }),
    ).toEqual([
      'extra: unknown field (expected upstreams, fanout, ecs, rateLimit, allow, deny)',
      'upstreams[0]: scheme http not allowed (only https, tls, tcp)',
      'ecs: expected one of strip, truncate, got 1',
      'deny[0]: name is empty',
    ]);
  });

  it('quotes and shortens unknown field names that are not identifiers', () => {
    const long = 'x'.repeat(100);
    expect(errorsOf({ upstreams: UPSTREAMS, 'a b': 1, [long]: 1 })).toEqual([
      '"a b": unknown field (expected upstreams, fanout, ecs, rateLimit, allow, deny)',
      `"${'x'.repeat(64)}…": unknown field (expected upstreams, fanout, ecs, rateLimit, allow, deny)`,
    ]);
  });

  it('caps the number of reported errors', () => {
    const input: Record<string, unknown> = { upstreams: UPSTREAMS };
    for (let i = 0; i < 80; i++) input[`field${i}`] = i;
    const errors = errorsOf(input);
    expect(errors).toHaveLength(51);
    expect(errors.at(-1)).toBe('… and 30 more errors');
  });
});

describe('validateTenantConfig bounds list sizes', () => {
  it('refuses more than MAX_TENANT_UPSTREAMS upstreams', () => {
    const upstreams = Array.from(
      { length: MAX_TENANT_UPSTREAMS + 1 },
      (_, i) => `u${i}=tcp://9.9.9.${i + 1}`,
    );
    expect(errorsOf({ upstreams })).toEqual([
      `upstreams: ${MAX_TENANT_UPSTREAMS + 1} entries, expected 1..${MAX_TENANT_UPSTREAMS}`,
    ]);
    expect(validateTenantConfig({ upstreams: upstreams.slice(1) }, options).ok).toBe(true);
  });

  it('refuses more than MAX_NAME_LIST_ENTRIES names in a list', () => {
    const names = Array.from({ length: MAX_NAME_LIST_ENTRIES + 1 }, (_, i) => `n${i}.example`);
    expect(errorsOf({ upstreams: UPSTREAMS, deny: names })).toEqual([
      `deny: ${MAX_NAME_LIST_ENTRIES + 1} entries, at most ${MAX_NAME_LIST_ENTRIES}`,
    ]);
    expect(validateTenantConfig({ upstreams: UPSTREAMS, allow: names.slice(1) }, options).ok).toBe(
      true,
    );
  });
});

describe('validateTenantConfig checks fan-out overrides merged with the deployment settings', () => {
  it('refuses an active tier larger than the deployment maxInflight', () => {
    // DEFAULT_FANOUT_SETTINGS.maxInflight is 4.
    expect(errorsOf({ upstreams: UPSTREAMS, fanout: { activeTierSize: 5 } })).toEqual([
      'fanout.activeTierSize: activeTierSize (5) must not exceed maxInflight (4)',
    ]);
  });

  it('refuses a maxInflight below the deployment active tier', () => {
    const base = { ...DEFAULT_FANOUT_SETTINGS, activeTierSize: 3 };
    expect(errorsOf({ upstreams: UPSTREAMS, fanout: { maxInflight: 2 } }, base)).toEqual([
      'fanout.activeTierSize: activeTierSize (3) must not exceed maxInflight (2)',
    ]);
  });

  it('accepts the same overrides when the mode does not use the active tier', () => {
    const check = validateTenantConfig(
      { upstreams: UPSTREAMS, fanout: { mode: 'parallel', activeTierSize: 5 } },
      options,
    );
    expect(check.ok).toBe(true);
  });

  it('refuses a fallback longer than the merged deadline', () => {
    expect(errorsOf({ upstreams: UPSTREAMS, fanout: { deadlineMs: 200 } })).toEqual([
      'fanout.fallbackMs: 300 must not exceed deadlineMs (200)',
    ]);
  });

  it('stores only the overrides, not the merged settings', () => {
    const check = validateTenantConfig({ upstreams: UPSTREAMS, fanout: { staggerMs: 0 } }, options);
    expect(check.ok && check.config.fanout).toEqual({ staggerMs: 0 });
  });
});
