import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/env';
import { ConfigError } from '../src/errors';
import { callWorker, fetchWorker, getPath, queryBytes } from './routes/worker-client';

function configWith(overrides: Partial<Env>) {
  return () => parseConfig({ ...env, ...overrides });
}

describe('configuration contract', () => {
  it('parses the test configuration with the documented defaults', () => {
    const config = parseConfig(env);
    expect(config.fanout).toEqual({
      mode: 'tiered',
      activeTierSize: 2,
      fallbackMs: 300,
      batchSize: 2,
      staggerMs: 50,
      deadlineMs: 3000,
      maxInflight: 4,
    });
    expect(config.upstreams.map((u) => u.name)).toEqual(['zone-doh', 'zone-tcp']);
  });

  const badValues: Array<[keyof Env, string]> = [
    ['ACTIVE_TIER_SIZE', '0'],
    ['FALLBACK_MS', 'soon'],
    ['BATCH_SIZE', '-1'],
    ['STAGGER_MS', '1.5'],
    ['DEADLINE_MS', '10'],
    // Above MAX_DEADLINE_MS: the pool write and cache put would not fit in waitUntil's 30 s.
    ['DEADLINE_MS', '30000'],
    ['MAX_INFLIGHT', '7'],
    ['FANOUT_MODE', 'random'],
    ['RESOLVER_DOMAIN', 'not a host'],
    ['ALLOW_LOOPBACK_UPSTREAMS', 'yes'],
    ['UPSTREAMS', ''],
    ['UPSTREAMS', 'ftp://example.com'],
    ['SWEEP_LEASE', 'maybe'],
    ['SIMULATED_COLO', 'AMS/1'],
    ['SIMULATED_POOL_LATENCY_MS', '5000'],
  ] as Array<[keyof Env, string]>;
  for (const [key, value] of badValues) {
    it(`rejects ${key}=${JSON.stringify(value)} with an error naming ${key}`, () => {
      expect(configWith({ [key]: value })).toThrowError(ConfigError);
      expect(configWith({ [key]: value })).toThrowError(new RegExp(key));
    });
  }

  it('rejects loopback upstreams unless ALLOW_LOOPBACK_UPSTREAMS is true', () => {
    expect(configWith({ ALLOW_LOOPBACK_UPSTREAMS: 'false' })).toThrowError(/UPSTREAMS/);
  });

  it('reads SWEEP_LEASE as on when it is absent, and off only when it says false', () => {
    expect(parseConfig({ ...env, SWEEP_LEASE: undefined } as unknown as Env).sweepLease).toBe(true);
    expect(configWith({ SWEEP_LEASE: 'false' })().sweepLease).toBe(false);
  });

  it('refuses the fleet simulation knobs outside development, naming the key', () => {
    const production = {
      ALLOW_LOOPBACK_UPSTREAMS: 'false',
      UPSTREAMS: 'https://dns.example/dns-query',
    };
    expect(configWith({ ...production, SIMULATED_COLO: 'ams' } as Partial<Env>)).toThrowError(
      /SIMULATED_COLO.*simulation only/,
    );
    expect(
      configWith({ ...production, SIMULATED_POOL_LATENCY_MS: '50' } as Partial<Env>),
    ).toThrowError(/SIMULATED_POOL_LATENCY_MS/);
    expect(configWith(production)().simulatedColo).toBeNull();
  });

  it('fails a request loudly, naming the bad key, instead of falling back', async () => {
    const { response } = await callWorker(getPath(queryBytes('a.test')), undefined, {
      FANOUT_MODE: 'random',
    });
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/FANOUT_MODE/);
  });

  it('keeps serving with a valid configuration', async () => {
    expect((await fetchWorker(getPath(queryBytes('a.test')))).status).toBe(200);
  });
});
