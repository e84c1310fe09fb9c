/**
 * `/ready` checks what `/health` deliberately does not (docs/configuration.md §1): a config
 * that would fail every query answers 503 with the message naming the key,
 * while `/health` stays a liveness probe.
 */
import { describe, expect, it } from 'vitest';
import { callWorker } from './worker-client';

async function probe(path: string, bindings: Partial<Env> = {}) {
  const { response, background } = await callWorker(path, undefined, bindings);
  await background;
  return response;
}

describe('readiness', () => {
  it('is ready with the test configuration and says how many upstreams it has', async () => {
    const response = await probe('/ready');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', upstreams: 2, fanoutMode: 'tiered' });
  });

  it.each<[string, Partial<Env>, RegExp]>([
    ['an unknown fan-out mode', { FANOUT_MODE: 'random' }, /FANOUT_MODE/],
    ['an empty default upstream list', { UPSTREAMS: '' }, /UPSTREAMS/],
    ['an upstream with an unknown scheme', { UPSTREAMS: 'x=ftp://example.com' }, /UPSTREAMS/],
    [
      'a loopback upstream without the development switch',
      { ALLOW_LOOPBACK_UPSTREAMS: 'false' },
      /UPSTREAMS/,
    ],
  ])('answers 503 with the message for %s while /health stays 200', async (_, bindings, key) => {
    const ready = await probe('/ready', bindings);
    expect(ready.status).toBe(503);
    const body = await ready.json<{ status: string; error: string }>();
    expect(body.status).toBe('not ready');
    expect(body.error).toMatch(key);
    expect((await probe('/health', bindings)).status).toBe(200);
  });

  it('answers 503 naming a missing binding', async () => {
    const response = await probe('/ready', { TENANTS: undefined });
    expect(response.status).toBe(503);
    expect((await response.json<{ error: string }>()).error).toBe('missing binding: TENANTS');
  });
});
