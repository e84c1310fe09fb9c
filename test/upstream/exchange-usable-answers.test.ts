import { describe, expect, inject, it } from 'vitest';
import type { DnsQuestion } from '../../src/dns/codec';
import { exchange } from '../../src/upstream/exchange';
import { answerData, buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';
import {
  A_ADDRESS,
  MULTI_ADDRESSES,
  NODATA_ADDRESS,
  TEST_ZONE_SOA_MINIMUM,
  TestName,
  V6_ADDRESSES,
} from '../support/test-zone';
import { failedAs } from './exchange-harness';

const zoneUpstreams = [
  ['DoH', () => loopbackUpstream(`zone-doh=http://127.0.0.1:${inject('dohPort')}/dns-query`)],
  ['TCP', () => loopbackUpstream(`zone-tcp=tcp://127.0.0.1:${inject('tcpPort')}`)],
] as const;

describe.each(zoneUpstreams)(
  'exchange over %s classifies the zone answers',
  (_transport, upstream) => {
    async function ask(name: string, type: DnsQuestion['type'] = 'A') {
      return exchange(upstream(), buildQuery(name, type), noDeadline());
    }

    it('accepts an A answer', async () => {
      const result = await ask(TestName.a);
      if (!result.ok) throw new Error(result.failure.message);
      expect(result.response.answers).toMatchObject([{ type: 'A', data: A_ADDRESS, ttl: 300 }]);
    });

    it('accepts an RRset of several addresses', async () => {
      const result = await ask(TestName.multi);
      if (!result.ok) throw new Error(result.failure.message);
      expect(answerData(result.response)).toEqual([...MULTI_ADDRESSES]);
    });

    it('accepts an AAAA answer', async () => {
      const result = await ask(TestName.v6, 'AAAA');
      if (!result.ok) throw new Error(result.failure.message);
      expect(answerData(result.response)).toEqual([...V6_ADDRESSES]);
    });

    it('accepts an answer that follows a CNAME chain to the address', async () => {
      const result = await ask(TestName.cname);
      if (!result.ok) throw new Error(result.failure.message);
      expect(result.response.answers).toMatchObject([
        { name: TestName.cname, type: 'CNAME', data: TestName.a },
        { name: TestName.a, type: 'A', data: A_ADDRESS },
      ]);
    });

    it('accepts NXDOMAIN with an SOA as a valid negative answer', async () => {
      const result = await ask(TestName.nx);
      if (!result.ok) throw new Error(result.failure.message);
      expect(result.response.authorities).toMatchObject([
        { type: 'SOA', data: { minimum: TEST_ZONE_SOA_MINIMUM } },
      ]);
    });

    it('accepts NOERROR NODATA with an SOA as a valid negative answer', async () => {
      const result = await ask(TestName.nodata, 'AAAA');
      if (!result.ok) throw new Error(result.failure.message);
      expect(result.response.answers).toEqual([]);
      expect(result.response.authorities?.[0]?.type).toBe('SOA');
      const a = await ask(TestName.nodata);
      expect(a.ok && answerData(a.response)).toEqual([NODATA_ADDRESS]);
    });

    it('accepts TXT and MX answers', async () => {
      expect((await ask(TestName.txt, 'TXT')).ok).toBe(true);
      const mx = await ask(TestName.mx, 'MX');
      if (!mx.ok) throw new Error(mx.failure.message);
      expect(mx.response.answers).toHaveLength(2);
    });

    it('matches the question case-insensitively (0x20-style mixed case)', async () => {
      expect((await ask('A.TeSt')).ok).toBe(true);
    });

    it('rejects SERVFAIL as an rcode failure', async () => {
      expect(await ask(TestName.servfail)).toMatchObject(failedAs('rcode', { rcode: 'SERVFAIL' }));
    });

    it('rejects REFUSED as an rcode failure', async () => {
      expect(await ask(TestName.refused)).toMatchObject(failedAs('rcode', { rcode: 'REFUSED' }));
    });
  },
);
