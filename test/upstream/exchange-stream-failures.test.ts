import { describe, expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import type { UpstreamFailureKind } from '../../src/upstream/types';
import { buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';
import { Misbehaviour } from '../support/misbehaviour';

/** Long enough for loopback, short enough that the never-answering case keeps the suite fast. */
const SLOW_SIGNAL_MS = 200;

const misbehavingTcp = () =>
  loopbackUpstream(`bad-tcp=tcp://127.0.0.1:${inject('misbehavingTcpPort')}`);

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
    const result = await exchange(misbehavingTcp(), buildQuery(name), noDeadline());
    expect(result).toMatchObject({ ok: false, failure: { kind } });
  });

  it('reports a server that never answers as timeout once the signal fires', async () => {
    const started = performance.now();
    const result = await exchange(
      misbehavingTcp(),
      buildQuery(Misbehaviour.neverAnswers),
      AbortSignal.timeout(SLOW_SIGNAL_MS),
    );
    expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
    expect(performance.now() - started).toBeGreaterThanOrEqual(SLOW_SIGNAL_MS - 1);
  });

  it('reports an already aborted signal as timeout without connecting', async () => {
    const result = await exchange(misbehavingTcp(), buildQuery('a.test'), AbortSignal.abort());
    expect(result).toMatchObject({ ok: false, failure: { kind: 'timeout' } });
  });
});
