import { expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import { buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';
import { MISBEHAVIOUR_ADDRESS, Misbehaviour } from '../support/misbehaviour';

it('reassembles a TCP answer that arrives one byte per write', async () => {
  const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('misbehavingTcpPort')}`);
  const result = await exchange(upstream, buildQuery(Misbehaviour.oneByteWrites), noDeadline());
  if (!result.ok) throw new Error(result.failure.message);
  expect(result.response.answers).toMatchObject([{ type: 'A', data: MISBEHAVIOUR_ADDRESS }]);
});

it('reads a DoH body that arrives one byte per write', async () => {
  const upstream = loopbackUpstream(`http://127.0.0.1:${inject('misbehavingHttpPort')}/dns-query`);
  const result = await exchange(upstream, buildQuery(Misbehaviour.oneByteWrites), noDeadline());
  if (!result.ok) throw new Error(result.failure.message);
  expect(result.response.answers).toMatchObject([{ type: 'A', data: MISBEHAVIOUR_ADDRESS }]);
});
