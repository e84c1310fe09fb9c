import { describe, expect, it } from 'vitest';
import type { UpstreamFailureKind } from '../../src/upstream/types';
import { Misbehaviour } from '../support/misbehaviour';
import { ask, failedAs, misbehavingTcp, SLOW_SIGNAL_MS } from './exchange-harness';

describe('exchange over TCP maps each misbehaviour of a real server to its failure kind', () => {
  it.each<[string, string, UpstreamFailureKind]>([
    ['closes before answering', Misbehaviour.closeBeforeAnswer, 'closed'],
    ['closes in the middle of the answer', Misbehaviour.closeMidMessage, 'closed'],
    ['answers with another ID', Misbehaviour.wrongId, 'mismatch'],
    ['answers another question', Misbehaviour.wrongQuestion, 'mismatch'],
    ['sends the message back with QR=0', Misbehaviour.notAResponse, 'mismatch'],
    ['answers with opcode STATUS', Misbehaviour.wrongOpcode, 'mismatch'],
    ['sets TC=1', Misbehaviour.truncated, 'truncated'],
    ['sends bytes that are not DNS', Misbehaviour.garbage, 'malformed'],
  ])('reports a server that %s as %s', async (_what, name, kind) => {
    const result = await ask(misbehavingTcp(), name);
    expect(result).toMatchObject(failedAs(kind));
  });

  it('reports a server that never answers as timeout once the signal fires', async () => {
    const started = performance.now();
    const result = await ask(misbehavingTcp(), Misbehaviour.neverAnswers, {
      signal: AbortSignal.timeout(SLOW_SIGNAL_MS),
    });
    expect(result).toMatchObject(failedAs('timeout'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_SIGNAL_MS - 1);
  });

  it('reports an already aborted signal as timeout without connecting', async () => {
    const result = await ask(misbehavingTcp(), 'a.test', { signal: AbortSignal.abort() });
    expect(result).toMatchObject(failedAs('timeout'));
  });
});
