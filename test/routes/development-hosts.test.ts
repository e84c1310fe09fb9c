/**
 * `localhost` (and 127.0.0.1, [::1]) selects the default tenant only in
 * development (ALLOW_LOOPBACK_UPSTREAMS=true); in production it is an unknown
 * host. The `/t/<tenant>` form is taken on the bare domain, never on a
 * tenant's own host, where it would name a second tenant.
 */
import { expect, it } from 'vitest';
import { createTenant, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { callWorker, fetchWorker } from './worker-client';

/** A production deployment: no loopback upstreams (never asked here: ANY is answered locally). */
const PRODUCTION: Partial<Env> = {
  ALLOW_LOOPBACK_UPSTREAMS: 'false',
  UPSTREAMS: 'quad9=https://dns.quad9.net/dns-query',
};

/** RFC 8482: ANY gets a minimal local answer, so no upstream is needed to tell 200 from 404. */
const ANY_QUERY = '/resolve?name=example.com&type=ANY';

it('answers 404 for localhost in production and serves the bare domain', async () => {
  for (const host of ['localhost', '127.0.0.1', '[::1]', 'localhost:8787']) {
    const { response } = await callWorker(
      new Request(`http://${host}${ANY_QUERY}`),
      undefined,
      PRODUCTION,
    );
    expect(response.status, host).toBe(404);
  }
  const bare = await callWorker(
    new Request(`http://doh.example.com${ANY_QUERY}`),
    undefined,
    PRODUCTION,
  );
  expect(bare.response.status).toBe(200);
});

it('serves localhost as the default tenant in development', async () => {
  expect((await fetchWorker(ANY_QUERY)).status).toBe(200);
});

it('takes /t/<tenant> on the bare domain but not on a tenant host', async () => {
  const a = await createTenant(uniqueTenantId('host-a'), {
    upstreams: fleetTcpUpstreams('fleet-2'),
  });
  const b = await createTenant(uniqueTenantId('host-b'), {
    upstreams: fleetTcpUpstreams('fleet-4'),
  });
  const onBare = await fetchWorker(new Request(`http://doh.example.com/t/${b.id}${ANY_QUERY}`));
  expect(onBare.status).toBe(200);
  const onTenantHost = await fetchWorker(
    new Request(`http://${a.id}.doh.example.com/t/${b.id}${ANY_QUERY}`),
  );
  expect(onTenantHost.status).toBe(404);
});
