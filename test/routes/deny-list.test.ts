/**
 * A tenant's deny list answers NXDOMAIN (EDE 15 Blocked) without asking any
 * upstream; an allow entry carves an exception out of a denied zone.
 */
import { expect, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { readExtendedErrors } from '../../src/dns/extended-errors';
import { fetchStats } from '../support/control-client';
import { createTenant, fleetTcpUpstreams, uniqueTenantId } from './admin-client';
import { rcodeOf } from './dns-assertions';
import { clientOpt, fetchWorker, getPath, postInit, queryBytes } from './worker-client';

it('answers denied names NXDOMAIN with EDE 15 and no upstream request, allowed ones normally', async () => {
  const zone = `deny-${crypto.randomUUID()}.fleet.test`;
  const id = uniqueTenantId('deny');
  await createTenant(id, {
    upstreams: fleetTcpUpstreams('fleet-2'),
    deny: [zone],
    allow: [`ok.${zone}`],
  });
  const ednsQuery = (name: string) => queryBytes(name, 'A', 77, { additionals: [clientOpt()] });

  const blocked = await fetchWorker(`/t/${id}/dns-query`, postInit(ednsQuery(`ads.${zone}`)));
  const blockedAnswer = decodeMessage(new Uint8Array(await blocked.arrayBuffer()));
  expect(rcodeOf(blockedAnswer)).toBe('NXDOMAIN');
  expect(blockedAnswer.id).toBe(77);
  expect(readExtendedErrors(blockedAnswer).map((e) => e.code)).toContain(15);

  const allowed = await fetchWorker(`/t/${id}${getPath(ednsQuery(`ok.${zone}`))}`);
  expect(rcodeOf(decodeMessage(new Uint8Array(await allowed.arrayBuffer())))).toBe('NOERROR');

  const stats = await fetchStats(zone);
  const asked = Object.values(stats.servers).flatMap((s) => Object.keys(s.names));
  expect(asked).not.toContain(`ads.${zone}`);
  expect(asked).toContain(`ok.${zone}`);
});
