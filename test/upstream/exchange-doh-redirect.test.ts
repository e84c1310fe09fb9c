/**
 * docs/operations.md §2: upstream redirects are never followed. An allowed upstream that
 * answers 307/308 could otherwise send the query (a POST with its body) to
 * any scheme, host or port, past the upstream URL policy. The redirect target
 * here is another loopback port that records everything that arrives.
 */
import { describe, expect, it } from 'vitest';
import { fetchStats } from '../support/control-client';
import { REDIRECT_TARGET_SERVER } from '../support/misbehaving-servers';
import { Misbehaviour } from '../support/misbehaviour';
import { ask, failedAs, misbehavingDoh } from './exchange-harness';

describe('a DoH upstream that redirects', () => {
  it.each([
    [307, Misbehaviour.redirect307],
    [308, Misbehaviour.redirect308],
  ])('answering %i is an http-error and the target never sees the query', async (status, name) => {
    const result = await ask(misbehavingDoh(), name);
    expect(result).toMatchObject(failedAs('http-error', { status }));
    const target = (await fetchStats(name)).servers[REDIRECT_TARGET_SERVER];
    expect(target?.requests).toBe(0);
  });
});
