/**
 * The console exchanges a token for a short-lived signed session cookie:
 * HttpOnly, SameSite=Strict, Secure outside development, never the token.
 */
import { describe, expect, it } from 'vitest';
import { SESSION_SECONDS } from '../../src/console/console-session';
import {
  ADMIN_TOKEN,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from '../routes/admin-client';
import { getPage, postForm, signIn } from './console-client';

describe('sign-in', () => {
  it('sets an HttpOnly, SameSite=Strict, short-lived cookie without Secure on http://localhost', async () => {
    const page = await postForm('/admin/sign-in', { token: ADMIN_TOKEN, tenant: '' });
    expect(page.status).toBe(303);
    expect(page.location).toBe('/admin/ui/tenants');
    const cookie = page.setCookie ?? '';
    expect(cookie).toMatch(/^edge_console=/);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Strict/i);
    expect(cookie).toMatch(/; Path=\/admin(;|$)/);
    expect(cookie).toContain(`Max-Age=${SESSION_SECONDS}`);
    expect(cookie).not.toMatch(/; Secure/i);
    expect(cookie).not.toContain(ADMIN_TOKEN);
  });

  it('marks the cookie Secure on a public https origin', async () => {
    const base = 'https://doh.example.com';
    const page = await postForm('/admin/sign-in', { token: ADMIN_TOKEN, tenant: '' }, { base });
    expect(page.status).toBe(303);
    expect(page.setCookie).toMatch(/; Secure/i);
  });

  it('never puts a tenant token into the cookie', async () => {
    const id = uniqueTenantId('cookie');
    const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
    const page = await postForm('/admin/sign-in', { token, tenant: id });
    expect(page.status).toBe(303);
    expect(page.location).toBe(`/admin/ui/tenants/${id}`);
    expect(page.setCookie).not.toContain(token);
    expect(page.setCookie).not.toContain(token.slice(4, 20));
  });

  it('refuses a wrong token with 401 and sets no cookie', async () => {
    const page = await postForm('/admin/sign-in', { token: 'wrong', tenant: '' });
    expect(page.status).toBe(401);
    expect(page.setCookie).toBeNull();
    expect(page.html).toContain('invalid token');
  });

  it('sends a tampered or missing cookie to the sign-in form', async () => {
    const cookie = await signIn(ADMIN_TOKEN);
    expect((await getPage('/admin/ui/tenants', cookie)).status).toBe(200);
    const tampered = cookie.replace('admin.', 'admin.9');
    expect((await getPage('/admin/ui/tenants', tampered)).location).toBe('/admin/sign-in');
    expect((await getPage('/admin/ui/tenants')).location).toBe('/admin/sign-in');
  });

  it('opens at /admin/: the sign-in form, or the signed-in home', async () => {
    expect((await getPage('/admin/')).location).toBe('/admin/sign-in');
    expect((await getPage('/admin/sign-in')).html).toContain(
      '<form class="stack" method="post" action="/admin/sign-in">',
    );
    const cookie = await signIn(ADMIN_TOKEN);
    expect((await getPage('/admin/', cookie)).location).toBe('/admin/ui/tenants');
  });

  it('signs out by expiring the cookie', async () => {
    const cookie = await signIn(ADMIN_TOKEN);
    const page = await postForm('/admin/sign-out', {}, { cookie });
    expect(page.status).toBe(303);
    expect(page.setCookie).toMatch(/^edge_console=;.*Max-Age=0/i);
  });
});
