import { expect, inject, it } from 'vitest';
import { loopbackUpstream } from '../support/dns-query';
import { TestName } from '../support/test-zone';
import { ask, failedAs } from './exchange-harness';

it('reports refused when nothing listens on the TCP port', async () => {
  const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('unusedPort')}`);
  const result = await ask(upstream, TestName.a);
  expect(result).toMatchObject(failedAs('refused'));
});

it('reports refused when nothing listens on the DoH port', async () => {
  const upstream = loopbackUpstream(`http://127.0.0.1:${inject('unusedPort')}/dns-query`);
  const result = await ask(upstream, TestName.a);
  expect(result).toMatchObject(failedAs('refused'));
});
