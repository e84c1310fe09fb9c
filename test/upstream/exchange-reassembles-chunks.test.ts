import { expect, inject, it } from 'vitest';
import { loopbackUpstream } from '../support/dns-query';
import { MISBEHAVIOUR_ADDRESS, Misbehaviour } from '../support/misbehaviour';
import { ask } from './exchange-harness';

it('reassembles a TCP answer that arrives one byte per write', async () => {
  const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('misbehavingTcpPort')}`);
  const result = await ask(upstream, Misbehaviour.oneByteWrites);
  if (!result.ok) throw new Error(result.failure.message);
  expect(result.response.answers).toMatchObject([{ type: 'A', data: MISBEHAVIOUR_ADDRESS }]);
});

it('reads a DoH body that arrives one byte per write', async () => {
  const upstream = loopbackUpstream(`http://127.0.0.1:${inject('misbehavingHttpPort')}/dns-query`);
  const result = await ask(upstream, Misbehaviour.oneByteWrites);
  if (!result.ok) throw new Error(result.failure.message);
  expect(result.response.answers).toMatchObject([{ type: 'A', data: MISBEHAVIOUR_ADDRESS }]);
});
