/**
 * docs/operations.md §2: a re-created tenant id inherits nothing of a deleted one. The old
 * tenant (upstream fleet-2) answers a name and its pool is written; after
 * delete and create under the same id (upstream fleet-4), the first query is
 * a miss answered by fleet-4 alone, and neither the pool nor the traces hold
 * anything of fleet-2.
 */
import { expect, inject, it } from 'vitest';
import {
  ADMIN_TOKEN,
  bearer,
  createTenant,
  fleetTcpUpstreams,
  uniqueTenantId,
} from './admin-client';
import { addressesOf, wireAnswer } from './dns-assertions';
import { callWorker, fetchWorker, getPath, queryBytes } from './worker-client';

function fleetAddresses(name: string): string[] {
  const member = inject('fleet').find((u) => u.name === name);
  if (!member) throw new Error(`no fleet member ${name}`);
  return [...member.addresses].sort();
}

async function ask(id: string, name: string): Promise<Response> {
  const call = await callWorker(`/t/${id}${getPath(queryBytes(name))}`);
  await call.background;
  return call.response;
}

it('serves nothing of the old generation after delete and re-create', async () => {
  const id = uniqueTenantId('gen');
  const name = `gen-${crypto.randomUUID()}.fleet.test`;
  await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-2') });
  const old = await ask(id, name);
  expect(addressesOf(await wireAnswer(old)).sort()).toEqual(fleetAddresses('fleet-2'));

  const deleted = await fetchWorker(`/admin/tenants/${id}`, {
    method: 'DELETE',
    headers: bearer(ADMIN_TOKEN),
  });
  expect(deleted.status).toBe(204);
  const { token } = await createTenant(id, { upstreams: fleetTcpUpstreams('fleet-4') });

  const fresh = await ask(id, name);
  expect(fresh.headers.get('server-timing')).toMatch(/cache;desc="miss"/);
  expect(addressesOf(await wireAnswer(fresh)).sort()).toEqual(fleetAddresses('fleet-4'));

  const pool = await fetchWorker(`/admin/tenants/${id}/pools/${name}/A`, {
    headers: bearer(token),
  });
  expect(pool.status).toBe(200);
  const view = await pool.json<{ records: Array<{ data: string; sources: string[] }> }>();
  expect(view.records.map((r) => r.data).sort()).toEqual(fleetAddresses('fleet-4'));
  expect(view.records.flatMap((r) => r.sources)).not.toContain('fleet-2');

  const traces = await fetchWorker(`/admin/tenants/${id}/traces?name=${name}`, {
    headers: bearer(token),
  });
  const { traces: list } = await traces.json<{ traces: Array<{ winner: string }> }>();
  expect(list.map((trace) => trace.winner)).toEqual(['fleet-4']);
});
