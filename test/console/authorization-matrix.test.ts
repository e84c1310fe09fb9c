/**
 * The console's pages follow the admin API's rules: the admin sees
 * everything; a tenant sees only itself; nobody signed out sees anything.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from '../routes/admin-client';
import { fetchWorker } from '../routes/worker-client';
import { getPage, postForm, signIn } from './console-client';

let own = '';
let other = '';
let ownToken = '';

beforeAll(async () => {
  own = uniqueTenantId('own');
  other = uniqueTenantId('other');
  ownToken = (await createTenant(own, { upstreams: fleetTcpUpstreams('fleet-2') })).token;
  await createTenant(other, { upstreams: fleetTcpUpstreams('fleet-2') });
});

type Who = 'nobody' | 'admin' | 'tenant';

async function cookieFor(who: Who): Promise<string | undefined> {
  if (who === 'nobody') return undefined;
  return who === 'admin' ? signIn(ADMIN_TOKEN) : signIn(ownToken, own);
}

/** What each caller gets for each page: a status, or where it is redirected. */
function matrix(): { page: () => string; nobody: string; admin: string; tenant: string }[] {
  return [
    {
      page: () => '/admin/ui/tenants',
      nobody: '→/admin/sign-in',
      admin: '200',
      tenant: `→/admin/ui/tenants/${own}`,
    },
    { page: () => '/admin/ui/tenants/new', nobody: '→/admin/sign-in', admin: '200', tenant: '403' },
    {
      page: () => `/admin/ui/tenants/${own}`,
      nobody: '→/admin/sign-in',
      admin: '200',
      tenant: '200',
    },
    {
      page: () => `/admin/ui/tenants/${other}`,
      nobody: '→/admin/sign-in',
      admin: '200',
      tenant: '403',
    },
    {
      page: () => `/admin/ui/tenants/${other}/delete`,
      nobody: '→/admin/sign-in',
      admin: '200',
      tenant: '403',
    },
    { page: () => '/admin/ui/health', nobody: '→/admin/sign-in', admin: '200', tenant: '403' },
    { page: () => '/admin/ui/metrics', nobody: '→/admin/sign-in', admin: '200', tenant: '403' },
    { page: () => '/admin/ui/lookups', nobody: '→/admin/sign-in', admin: '200', tenant: '200' },
    {
      page: () => `/admin/ui/lookups/${other}/0123456789abcdef`,
      nobody: '→/admin/sign-in',
      admin: '404',
      tenant: '403',
    },
    { page: () => '/admin/ui/pools', nobody: '→/admin/sign-in', admin: '200', tenant: '200' },
  ];
}

function outcome(page: { status: number; location: string | null }): string {
  return page.status === 303 ? `→${page.location}` : String(page.status);
}

describe.each(['nobody', 'admin', 'tenant'] as const)('signed in as %s', (who) => {
  it('gets each page or is turned away as the API would', async () => {
    const cookie = await cookieFor(who);
    const seen: Record<string, string> = {};
    const expected: Record<string, string> = {};
    for (const row of matrix()) {
      seen[row.page()] = outcome(await getPage(row.page(), cookie));
      expected[row.page()] = row[who];
    }
    expect(seen).toEqual(expected);
  });
});

describe('a tenant session', () => {
  it('cannot change, rotate or delete another tenant', async () => {
    const cookie = await signIn(ownToken, own);
    for (const path of [
      `/admin/ui/tenants/${other}`,
      `/admin/ui/tenants/${other}/token`,
      `/admin/ui/tenants/${other}/delete`,
    ]) {
      expect(
        (await postForm(path, { upstreams: 'x=tcp://127.0.0.1:1' }, { cookie })).status,
        path,
      ).toBe(403);
    }
    expect(
      (await fetchWorker(`/admin/tenants/${other}`, { headers: bearer(ADMIN_TOKEN) })).status,
    ).toBe(200);
  });

  it('sees only its own lookups and pools, whatever tenant the URL names', async () => {
    const cookie = await signIn(ownToken, own);
    const lookups = await getPage(`/admin/ui/lookups?tenant=${other}`, cookie);
    expect(lookups.html).toContain(`Recent lookups of ${own}`);
    const pools = await getPage(`/admin/ui/pools?tenant=${other}&name=a.test&type=A`, cookie);
    expect(pools.html).not.toContain(`value="${other}"`);
  });

  it('ends when the tenant’s token is rotated', async () => {
    const id = uniqueTenantId('rotated');
    const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const cookie = await signIn(token, id);
    expect((await getPage(`/admin/ui/tenants/${id}`, cookie)).status).toBe(200);
    const rotated = await fetchWorker(`/admin/tenants/${id}/token`, {
      method: 'POST',
      headers: bearer(ADMIN_TOKEN),
    });
    expect(rotated.status).toBe(200);
    expect((await getPage(`/admin/ui/tenants/${id}`, cookie)).location).toBe(
      '/admin/sign-in?ended=1',
    );
  });

  it('keeps working for the tenant that rotated its own token in the console', async () => {
    const id = uniqueTenantId('self-rotate');
    const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const cookie = await signIn(token, id);
    const page = await postForm(`/admin/ui/tenants/${id}/token`, {}, { cookie });
    expect(page.status).toBe(200);
    const fresh = page.setCookie?.split(';')[0] ?? '';
    expect((await getPage(`/admin/ui/tenants/${id}`, fresh)).status).toBe(200);
    expect((await getPage(`/admin/ui/tenants/${id}`, cookie)).location).toBe(
      '/admin/sign-in?ended=1',
    );
  });
});
