import { expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import { buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';
import { TestName } from '../support/test-zone';

it('reports refused when nothing listens on the TCP port', async () => {
  const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('unusedPort')}`);
  const result = await exchange(upstream, buildQuery(TestName.a), noDeadline());
  expect(result).toMatchObject({ ok: false, failure: { kind: 'refused' } });
});

it('reports refused when nothing listens on the DoH port', async () => {
  const upstream = loopbackUpstream(`http://127.0.0.1:${inject('unusedPort')}/dns-query`);
  const result = await exchange(upstream, buildQuery(TestName.a), noDeadline());
  expect(result).toMatchObject({ ok: false, failure: { kind: 'refused' } });
});
