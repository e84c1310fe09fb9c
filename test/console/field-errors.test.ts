/**
 * A rejected tenant form comes back as it was sent, each API validation
 * error next to the field it names.
 */
import { expect, it } from 'vitest';
import {
  ADMIN_TOKEN,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from '../routes/admin-client';
import { postForm, signIn } from './console-client';

/** The error span the form puts right after a field. */
function errorOf(html: string, field: string): string | null {
  const match = new RegExp(
    `<span class="field-error" id="${field.replace('.', '\\.')}-error">([^<]*)</span>`,
  ).exec(html);
  return match?.[1] ?? null;
}

it('shows each problem next to its field and keeps what was typed', async () => {
  const cookie = await signIn(ADMIN_TOKEN);
  const good = fleetTcpUpstreams('fleet-2')[0] ?? '';
  const page = await postForm(
    '/admin/ui/tenants/new',
    {
      id: 'Not A Label',
      upstreams: `${good}\nbroken=ftp://example.com`,
      'fanout.deadlineMs': 'soon',
      ecs: 'strip',
      deny: 'ads.test',
    },
    { cookie },
  );
  expect(page.status).toBe(400);
  expect(errorOf(page.html, 'id')).toMatch(/DNS label/);
  // Only the id is checked first by the API; fix it and the config errors come back.
  const again = await postForm(
    '/admin/ui/tenants/new',
    {
      id: uniqueTenantId('fields'),
      upstreams: `${good}\nbroken=ftp://example.com`,
      'fanout.deadlineMs': 'soon',
      ecs: 'strip',
      deny: 'ads.test',
    },
    { cookie },
  );
  expect(again.status).toBe(400);
  expect(errorOf(again.html, 'upstreams')).toMatch(/^line 2: /);
  expect(errorOf(again.html, 'fanout.deadlineMs')).not.toBeNull();
  expect(errorOf(again.html, 'deny')).toBeNull();
  expect(again.html).toMatch(
    /<textarea name="upstreams" aria-invalid="true"[^>]*>[^<]*broken=ftp:\/\/example.com/,
  );
  expect(again.html).toContain('ads.test</textarea>');
});

it('shows a rejected edit next to its field and saves nothing', async () => {
  const id = uniqueTenantId('edit');
  const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
  const cookie = await signIn(token, id);
  const page = await postForm(
    `/admin/ui/tenants/${id}`,
    { upstreams: fleetTcpUpstreams('fleet-2').join('\n'), ecs: 'strip', allow: '*.bad' },
    { cookie },
  );
  expect(page.status).toBe(400);
  expect(errorOf(page.html, 'allow')).toMatch(/^line 1: no wildcards/);
  const saved = await postForm(
    `/admin/ui/tenants/${id}`,
    { upstreams: fleetTcpUpstreams('fleet-2').join('\n'), ecs: 'strip', deny: 'ads.test' },
    { cookie },
  );
  expect(saved.location).toBe(`/admin/ui/tenants/${id}?saved=1`);
});
