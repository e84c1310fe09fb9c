/**
 * docs/operations.md §2: tenant upstream host names that resolve to private, loopback or
 * special-purpose addresses are refused. The names are served by the test
 * zone through the deployment's own (loopback) upstreams, exactly the path a
 * production lookup takes; `127.0.0.1.nip.io` and `localtest.me` are what
 * such names look like on the internet.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  UPSTREAM_HOST_PRIVATE_ADDRESS,
  UPSTREAM_HOST_PUBLIC_ADDRESS,
  UpstreamHost,
} from '../support/test-zone';
import { ADMIN_TOKEN, bearer, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { fetchWorker, getPath, queryBytes } from './worker-client';

const json = { 'content-type': 'application/json' };

function create(id: string, upstreams: string[]): Promise<Response> {
  return fetchWorker('/admin/tenants', {
    method: 'POST',
    headers: { ...bearer(ADMIN_TOKEN), ...json },
    body: JSON.stringify({ id, config: { upstreams } }),
  });
}

describe('a config naming such a host', () => {
  it.each([
    [UpstreamHost.private, /resolves to 10\.0\.0\.53: .*private/],
    [UpstreamHost.metadata, /resolves to 169\.254\.169\.254: .*link-local/],
    [UpstreamHost.mixed, /resolves to fd00::53: /],
    [UpstreamHost.cnamePrivate, /resolves to 10\.0\.0\.53/],
    [UpstreamHost.absent, /could not be resolved|no A or AAAA/],
  ])('is refused for %s, naming the field and the address', async (host, detail) => {
    const response = await create(uniqueTenantId('host'), [
      ...fleetTcpUpstreams('fleet-2'),
      `bad=tls://${host}:853`,
    ]);
    expect(response.status).toBe(400);
    const { error } = await response.json<{ error: string }>();
    expect(error).toMatch(new RegExp(`^upstreams\\[1\\]: host "${host.replace(/\./g, '\\.')}"`));
    expect(error).toMatch(detail);
  });

  it('is accepted when every address is public', async () => {
    const response = await create(uniqueTenantId('host'), [
      `good=tls://${UpstreamHost.public}:853`,
    ]);
    expect(response.status).toBe(201);
    expect(UPSTREAM_HOST_PUBLIC_ADDRESS).not.toBe(UPSTREAM_HOST_PRIVATE_ADDRESS);
  });

  it('is refused on update too', async () => {
    const id = uniqueTenantId('host');
    expect((await create(id, fleetTcpUpstreams('fleet-2'))).status).toBe(201);
    const response = await fetchWorker(`/admin/tenants/${id}`, {
      method: 'PATCH',
      headers: { ...bearer(ADMIN_TOKEN), ...json },
      body: JSON.stringify({ upstreams: [`bad=https://${UpstreamHost.private}/dns-query`] }),
    });
    expect(response.status).toBe(400);
    expect((await response.json<{ error: string }>()).error).toMatch(/^upstreams\[0\]: /);
  });
});

describe('a stored config whose host resolves privately now', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('takes that upstream out of service with a log line and answers from the others', async () => {
    const warn = vi.spyOn(console, 'warn');
    const id = uniqueTenantId('screen');
    const now = new Date().toISOString();
    // Written straight to KV: it passed the check when written, DNS changed since.
    await env.TENANTS.put(
      `tenant:${id}`,
      JSON.stringify({
        id,
        config: {
          upstreams: [...fleetTcpUpstreams('fleet-2'), `bad=tls://${UpstreamHost.metadata}:853`],
          fanout: {},
          ecs: 'strip',
          rateLimit: { enabled: true },
          allow: [],
          deny: [],
        },
        tokenHash: '0'.repeat(64),
        generation: crypto.randomUUID().slice(0, 16),
        createdAt: now,
        updatedAt: now,
      }),
    );
    const name = `screen-${crypto.randomUUID()}.fleet.test`;
    const response = await fetchWorker(`/t/${id}${getPath(queryBytes(name))}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('server-timing')).toMatch(/desc="fleet-2"/);
    const lines = warn.mock.calls.map(([line]) => String(line));
    const outOfService = lines
      .filter((line) => line.includes('upstream-out-of-service'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(outOfService).toContainEqual(
      expect.objectContaining({
        tenant: id,
        upstream: 'bad',
        host: UpstreamHost.metadata,
        problem: expect.stringMatching(/169\.254\.169\.254/),
      }),
    );
    // The fan-out never started the upstream that is out of service.
    const traces = await fetchWorker(`/admin/traces?tenant=${id}&name=${name}`, {
      headers: bearer(ADMIN_TOKEN),
    });
    const { traces: list } = await traces.json<{
      traces: Array<{ attempts: Array<{ upstream: string }>; notStarted: string[] }>;
    }>();
    const upstreamsSeen = list.flatMap((t) => [
      ...t.attempts.map((a) => a.upstream),
      ...t.notStarted,
    ]);
    expect(upstreamsSeen).toContain('fleet-2');
    expect(upstreamsSeen).not.toContain('bad');
  });
});
