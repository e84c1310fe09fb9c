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
  ];
  for (const [key, value] of badValues) {
    it(`rejects ${key}=${JSON.stringify(value)} with an error naming ${key}`, () => {
      expect(configWith({ [key]: value })).toThrowError(ConfigError);
      expect(configWith({ [key]: value })).toThrowError(new RegExp(key));
    });
  }

  it('rejects loopback upstreams unless ALLOW_LOOPBACK_UPSTREAMS is true', () => {
    expect(configWith({ ALLOW_LOOPBACK_UPSTREAMS: 'false' })).toThrowError(/UPSTREAMS/);
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
