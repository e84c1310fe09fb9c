/**
 * The isolate's re-check of tenant upstream host names, on a manual clock
 * with a scripted lookup (what the name resolves to is what is under test).
 */
import { describe, expect, it } from 'vitest';
import type { HostAddresses } from '../../src/tenants/upstream-host-check';
import { RECHECK_MS, UpstreamScreen } from '../../src/tenants/upstream-screen';
import { parseUpstreams } from '../../src/upstream/parse-upstreams';
import { ManualClock } from '../support/manual-clock';

const UPSTREAMS = parseUpstreams('good=tls://9.9.9.9:853,named=tls://dns.example:853', {
  allowLoopback: false,
});

function harness(initial: string) {
  const clock = new ManualClock();
  const logs: Record<string, unknown>[] = [];
  const background: Promise<unknown>[] = [];
  let address = initial;
  let lookups = 0;
  const screen = new UpstreamScreen(clock, { allowLoopback: false }, (entry) => logs.push(entry));
  const context = {
    tenant: 'acme',
    lookup: async (): Promise<HostAddresses> => {
      lookups++;
      return { ok: true, addresses: [address] };
    },
    waitUntil: (work: Promise<unknown>) => background.push(work),
  };
  return {
    clock,
    logs,
    lookups: () => lookups,
    resolveTo: (next: string) => {
      address = next;
    },
    outOfService: () => screen.outOfService(UPSTREAMS, context),
    settle: () => Promise.all(background.splice(0)),
  };
}

describe('UpstreamScreen', () => {
  it('checks a name before its first use and takes it out of service with one log line', async () => {
    const h = harness('10.0.0.5');
    expect(await h.outOfService()).toEqual(['named']);
    expect(h.logs).toEqual([
      expect.objectContaining({
        event: 'upstream-out-of-service',
        tenant: 'acme',
        upstream: 'named',
        host: 'dns.example',
        problem: expect.stringMatching(/resolves to 10\.0\.0\.5/),
      }),
    ]);
    // The address literal is never looked up; the name is not looked up again before RECHECK_MS.
    expect(await h.outOfService()).toEqual(['named']);
    expect(h.lookups()).toBe(1);
    expect(h.logs).toHaveLength(1);
  });

  it('takes a name out of service at the re-check after it starts resolving privately', async () => {
    const h = harness('9.9.9.10');
    expect(await h.outOfService()).toEqual([]);
    h.resolveTo('192.168.0.1');
    await h.clock.advance(RECHECK_MS - 1);
    expect(await h.outOfService()).toEqual([]);
    expect(h.lookups()).toBe(1);
    await h.clock.advance(1);
    // Due: re-checked in the background, the current answer stands meanwhile.
    expect(await h.outOfService()).toEqual([]);
    await h.settle();
    expect(h.lookups()).toBe(2);
    expect(await h.outOfService()).toEqual(['named']);
    expect(h.logs.map((l) => l.event)).toEqual(['upstream-out-of-service']);

    h.resolveTo('9.9.9.10');
    await h.clock.advance(RECHECK_MS);
    await h.outOfService();
    await h.settle();
    expect(await h.outOfService()).toEqual([]);
    expect(h.logs.map((l) => l.event)).toEqual([
      'upstream-out-of-service',
      'upstream-back-in-service',
    ]);
  });

  it('makes every first request wait for the one check in progress', async () => {
    const h = harness('10.0.0.5');
    const [a, b] = await Promise.all([h.outOfService(), h.outOfService()]);
    expect(a).toEqual(['named']);
    expect(b).toEqual(['named']);
    expect(h.lookups()).toBe(1);
  });
});
