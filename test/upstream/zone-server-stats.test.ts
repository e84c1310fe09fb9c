import { expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import { fetchStats } from '../support/control-client';
import { buildQuery, loopbackUpstream, noDeadline, uniqueLabel } from '../support/dns-query';

it('counts the queries each zone server received, per name', async () => {
  const name = `${uniqueLabel()}.nx.test`;
  const doh = loopbackUpstream(`zone-doh=http://127.0.0.1:${inject('dohPort')}/dns-query`);
  const tcp = loopbackUpstream(`zone-tcp=tcp://127.0.0.1:${inject('tcpPort')}`);
  await exchange(doh, buildQuery(name), noDeadline());
  await exchange(doh, buildQuery(name, 'AAAA'), noDeadline());
  await exchange(tcp, buildQuery(name), noDeadline());

  const stats = await fetchStats(name);
  expect(stats.servers['zone-doh']).toMatchObject({ requests: 2, names: { [name]: 2 } });
  expect(stats.servers['zone-tcp']).toMatchObject({ requests: 1, names: { [name]: 1 } });
  expect(stats.servers['zone-doh']?.arrivals.map((a) => a.type)).toEqual(['A', 'AAAA']);
});
