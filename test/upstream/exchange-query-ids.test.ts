import { describe, expect, inject, it } from 'vitest';
import { decodeMessage } from '../../src/dns/codec';
import { createExchange } from '../../src/upstream/exchange';
import { randomQueryId } from '../../src/upstream/query-id';
import { transportFor } from '../../src/upstream/transport-for';
import type { Transport, Upstream } from '../../src/upstream/types';
import { buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';
import { TestName } from '../support/test-zone';

const CALLER_ID = 999;
const CHOSEN_ID = 0xbeef;

/** Real transports, with the wire-format queries they were given recorded. */
function recordingExchange() {
  const sentIds: number[] = [];
  const exchange = createExchange({
    transportFor: (upstream: Upstream): Transport => {
      const real = transportFor(upstream);
      return (query, signal) => {
        sentIds.push(decodeMessage(query).id ?? -1);
        return real(query, signal);
      };
    },
    randomQueryId: () => CHOSEN_ID,
  });
  return { exchange, sentIds };
}

describe('exchange sets the query ID per transport', () => {
  it('sends a fresh random ID over TCP and accepts the answer that echoes it', async () => {
    const { exchange, sentIds } = recordingExchange();
    const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('tcpPort')}`);
    const result = await exchange(upstream, buildQuery(TestName.a, 'A', CALLER_ID), noDeadline());
    expect(sentIds).toEqual([CHOSEN_ID]);
    expect(result.ok && result.response.id).toBe(CHOSEN_ID);
  });

  it('sends ID 0 over DoH (RFC 8484 §4.1)', async () => {
    const { exchange, sentIds } = recordingExchange();
    const upstream = loopbackUpstream(`http://127.0.0.1:${inject('dohPort')}/dns-query`);
    const result = await exchange(upstream, buildQuery(TestName.a, 'A', CALLER_ID), noDeadline());
    expect(sentIds).toEqual([0]);
    expect(result.ok).toBe(true);
  });

  it('draws a different ID for each TCP query with the default ID source', async () => {
    const ids = new Set<number>();
    const exchange = createExchange({
      transportFor: (): Transport => async (query) => {
        ids.add(decodeMessage(query).id ?? -1);
        return { ok: false, failure: { kind: 'refused', message: 'not sent' } };
      },
      randomQueryId,
    });
    const upstream = loopbackUpstream('tcp://127.0.0.1:53');
    for (let i = 0; i < 20; i++) await exchange(upstream, buildQuery(TestName.a), noDeadline());
    expect(ids.size).toBeGreaterThan(1);
  });

  it('reports a query without exactly one question as malformed without sending it', async () => {
    const { exchange, sentIds } = recordingExchange();
    const upstream = loopbackUpstream(`tcp://127.0.0.1:${inject('tcpPort')}`);
    const result = await exchange(upstream, new Uint8Array([1, 2, 3]), noDeadline());
    expect(result).toMatchObject({ ok: false, failure: { kind: 'malformed' } });
    expect(sentIds).toEqual([]);
  });

  it('turns a transport that throws into a network failure', async () => {
    const exchange = createExchange({
      transportFor: (): Transport => () => {
        throw new Error('bug');
      },
      randomQueryId: () => 1,
    });
    const upstream = loopbackUpstream('tcp://127.0.0.1:53');
    expect(await exchange(upstream, buildQuery(TestName.a), noDeadline())).toMatchObject({
      ok: false,
      failure: { kind: 'network' },
    });
  });
});
