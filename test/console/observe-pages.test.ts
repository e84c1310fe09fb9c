/**
 * The read-only console pages show what the API knows: a lookup with its
 * SVG timeline, the upstream health per tenant scope, the metrics summary.
 */
import { expect, it } from 'vitest';
import { DEFAULT_TENANT } from '../../src/resolver/isolate-resolver';
import { fleetBindings, uniqueFleetName } from '../resolver/fleet-worker';
import { ADMIN_TOKEN } from '../routes/admin-client';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { getPage, signIn } from './console-client';

it('lists a lookup, serves its timeline as a locked-down SVG and shows health and metrics', async () => {
  const name = uniqueFleetName('console-pages');
  const call = await callWorker(getPath(queryBytes(name)), undefined, fleetBindings());
  await call.response.arrayBuffer();
  await call.background;
  const cookie = await signIn(ADMIN_TOKEN);

  const lookups = await getPage(`/admin/ui/lookups?name=${name}`, cookie);
  const href = new RegExp(
    `href="(/admin/ui/lookups/${DEFAULT_TENANT}/[0-9a-f]+)">${name.replace(/\./g, '\\.')}<`,
  ).exec(lookups.html)?.[1];
  expect(href, lookups.html.slice(0, 500)).toBeDefined();

  const detail = await getPage(href ?? '', cookie);
  expect(detail.status).toBe(200);
  expect(detail.html).toContain(`src="${href}/timeline.svg"`);
  const svg = await callWorker(
    new Request(`http://localhost${href}/timeline.svg`, { headers: { cookie } }),
  );
  expect(svg.response.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
  expect(svg.response.headers.get('content-security-policy')).toContain("default-src 'none'");
  expect(await svg.response.text()).toMatch(/^<svg[\s\S]*<\/svg>\s*$/);

  const health = await getPage('/admin/ui/health', cookie);
  expect(health.html).toContain('<th>scope</th>');
  expect(health.html).toContain('<th>score</th>');
  const metrics = await getPage('/admin/ui/metrics', cookie);
  expect(metrics.html).toContain(`<td>${DEFAULT_TENANT}</td>`);
});
