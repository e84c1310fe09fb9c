import { describe, expect, inject, it } from 'vitest';
import type { UpstreamFailureKind } from '../../src/upstream/types';
import { loopbackUpstream } from '../support/dns-query';
import { Misbehaviour } from '../support/misbehaviour';
import { ask, failedAs, misbehavingDoh, SLOW_SIGNAL_MS } from './exchange-harness';

describe('exchange over DoH maps each misbehaviour of a real server to its failure kind', () => {
  it('reports HTTP 500 as http-error with the status', async () => {
    const result = await ask(misbehavingDoh(), Misbehaviour.http500);
    expect(result).toMatchObject(failedAs('http-error', { status: 500 }));
  });

  it('reports a 404 for a wrong path as http-error with the status', async () => {
    const upstream = loopbackUpstream(`http://127.0.0.1:${inject('misbehavingHttpPort')}/wrong`);
    const result = await ask(upstream, 'a.test');
    expect(result).toMatchObject(failedAs('http-error', { status: 404 }));
  });

  it.each<[string, string, UpstreamFailureKind]>([
    [
      'answers with a content type other than application/dns-message',
      Misbehaviour.wrongContentType,
      'http-error',
    ],
    ['sends a body larger than any DNS message', Misbehaviour.oversizedBody, 'malformed'],
    ['sends bytes that are not DNS', Misbehaviour.garbage, 'malformed'],
    ['answers another question', Misbehaviour.wrongQuestion, 'mismatch'],
    ['sends the message back with QR=0', Misbehaviour.notAResponse, 'mismatch'],
    ['sets TC=1', Misbehaviour.truncated, 'truncated'],
    ['cuts the body in the middle', Misbehaviour.closeMidMessage, 'closed'],
    // workerd reports a connection reset before any response like a refused one.
    ['drops the connection before responding', Misbehaviour.closeBeforeAnswer, 'refused'],
  ])('reports a server that %s as %s', async (_what, name, kind) => {
    const result = await ask(misbehavingDoh(), name);
    expect(result).toMatchObject(failedAs(kind));
  });

  it('does not check the ID over DoH, where HTTP pairs the answer with the query', async () => {
    const result = await ask(misbehavingDoh(), Misbehaviour.wrongId);
    expect(result.ok).toBe(true);
  });

  it('reports a server that never answers as timeout once the signal fires', async () => {
    const result = await ask(misbehavingDoh(), Misbehaviour.neverAnswers, {
      signal: AbortSignal.timeout(SLOW_SIGNAL_MS),
    });
    expect(result).toMatchObject(failedAs('timeout'));
  });
});
