import { describe, expect, it } from 'vitest';
import type { DnsQuestion } from '../../src/dns/codec';
import { mergeAnswers } from '../../src/pool/merge-answers';
import {
  applyPoolWrite,
  type PoolState,
  servedNegative,
  servedRecords,
  toPoolWrite,
} from '../../src/pool/pool-update';
import { sanitizeAnswer } from '../../src/upstream/sanitize-answer';
import { a, cname, question, response, soa } from './dns-fixtures';
import { addressesOf, NAME, rec, v, write } from './pool-fixtures';

/** A pool accepted at t=10s holding two addresses for 60 s and 300 s. */
function seededPool(): PoolState {
  const outcome = applyPoolWrite(
    null,
    write(v(10_000), 10_000, [rec('192.0.2.1', 60), rec('192.0.2.2', 300)]),
    10_000,
  );
  return outcome.state;
}

describe('applyPoolWrite', () => {
  it("accepts the first write with expiry at receive time plus each record's TTL", () => {
    const outcome = applyPoolWrite(
      null,
      write(v(1_000), 1_200, [rec('192.0.2.1', 60), rec('192.0.2.2', 30)]),
      1_500,
    );
    expect(outcome.status).toBe('accepted');
    expect(outcome.currentVersion).toEqual(v(1_000));
    expect(outcome.state.records.map((entry) => entry.expiresAt)).toEqual([61_200, 31_200]);
    expect(outcome.state.rejectedWrites).toBe(0);
    expect(outcome.state.updatedAt).toBe(1_500);
  });

  it("never lets a receive time ahead of the object's clock extend an expiry", () => {
    const outcome = applyPoolWrite(null, write(v(1_000), 9_000, [rec('192.0.2.1', 60)]), 2_000);
    expect(outcome.state.records[0]?.expiresAt).toBe(62_000);
  });

  it('rejects a lower version, counts it, and leaves the state otherwise deep-equal', () => {
    const current = seededPool();
    const before = structuredClone(current);
    const outcome = applyPoolWrite(
      current,
      write(v(9_999), 11_000, [rec('203.0.113.1', 600)]),
      11_000,
    );
    expect(outcome.status).toBe('rejected');
    expect(outcome.reason).toBe('stale-version');
    expect(outcome.currentVersion).toEqual(v(10_000));
    expect(outcome.state).toEqual({ ...before, rejectedWrites: before.rejectedWrites + 1 });
    expect(current).toEqual(before);
  });

  it('rejects a lower counter or isolate id within the same millisecond', () => {
    const current = applyPoolWrite(
      null,
      write(v(5_000, 3, 'iso-b'), 5_000, [rec('192.0.2.1', 60)]),
      5_000,
    ).state;
    expect(applyPoolWrite(current, write(v(5_000, 2, 'iso-z'), 5_000, []), 5_000).status).toBe(
      'rejected',
    );
    expect(applyPoolWrite(current, write(v(5_000, 3, 'iso-a'), 5_000, []), 5_000).status).toBe(
      'rejected',
    );
    expect(applyPoolWrite(current, write(v(5_000, 3, 'iso-c'), 5_000, []), 5_000).status).toBe(
      'accepted',
    );
  });

  it('merges an equal version: union, existing records keep position and the earlier expiry', () => {
    const current = seededPool();
    const outcome = applyPoolWrite(
      current,
      write(v(10_000), 20_000, [
        rec('192.0.2.3', 120, ['u3']),
        rec('192.0.2.1', 600, ['u2']),
        rec('192.0.2.2', 30, ['u2']),
      ]),
      20_000,
    );
    expect(outcome.status).toBe('merged');
    expect(addressesOf(outcome.state.records)).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3']);
    expect(outcome.state.records.map((entry) => entry.expiresAt)).toEqual([
      70_000, 50_000, 140_000,
    ]);
    expect(outcome.state.records.map((entry) => entry.sources)).toEqual([
      ['u1', 'u2'],
      ['u1', 'u2'],
      ['u3'],
    ]);
    expect(outcome.state.version).toEqual(v(10_000));
  });

  it('accepts a higher version and keeps the previous records still within their TTL', () => {
    const current = seededPool();
    // At t=100s the 60 s record (expired at 70 s) is gone; the 300 s one lives until 310 s.
    const outcome = applyPoolWrite(
      current,
      write(v(100_000), 100_000, [rec('192.0.2.9', 60, ['u2']), rec('192.0.2.1', 60, ['u2'])]),
      100_000,
    );
    expect(outcome.status).toBe('accepted');
    expect(outcome.state.version).toEqual(v(100_000));
    expect(addressesOf(outcome.state.records)).toEqual(['192.0.2.2', '192.0.2.9', '192.0.2.1']);
    expect(outcome.state.records.map((entry) => entry.expiresAt)).toEqual([
      310_000, 160_000, 160_000,
    ]);
  });

  it("takes the newer write's expiry for a record present in both, even when earlier", () => {
    const current = seededPool();
    const outcome = applyPoolWrite(
      current,
      write(v(20_000), 20_000, [rec('192.0.2.2', 5, ['u2'])]),
      20_000,
    );
    expect(addressesOf(outcome.state.records)).toEqual(['192.0.2.1', '192.0.2.2']);
    expect(outcome.state.records[1]).toMatchObject({
      expiresAt: 25_000,
      ttl: 5,
      sources: ['u1', 'u2'],
    });
  });

  it('drops records that expire exactly now', () => {
    const current = seededPool();
    const outcome = applyPoolWrite(current, write(v(70_000), 70_000, []), 70_000);
    expect(addressesOf(outcome.state.records)).toEqual(['192.0.2.2']);
  });

  it('keeps none of the old records when a newer query follows another CNAME chain', () => {
    const first = applyPoolWrite(
      null,
      write(v(1_000), 1_000, [rec('192.0.2.1', 300)], [NAME, 'old.cdn.example']),
      1_000,
    ).state;
    const outcome = applyPoolWrite(
      first,
      write(v(2_000), 2_000, [rec('198.51.100.1', 300)], [NAME, 'new.cdn.example']),
      2_000,
    );
    expect(outcome.status).toBe('accepted');
    expect(outcome.state.chain).toEqual([NAME, 'new.cdn.example']);
    expect(addressesOf(outcome.state.records)).toEqual(['198.51.100.1']);
  });

  it('rejects the same version reporting another CNAME chain', () => {
    const first = applyPoolWrite(
      null,
      write(v(1_000), 1_000, [rec('192.0.2.1', 300)]),
      1_000,
    ).state;
    const outcome = applyPoolWrite(
      first,
      write(v(1_000), 1_500, [rec('198.51.100.1', 300)], [NAME, 'other.example']),
      1_500,
    );
    expect(outcome).toMatchObject({ status: 'rejected', reason: 'chain-differs' });
    expect(outcome.state.rejectedWrites).toBe(1);
    expect(addressesOf(outcome.state.records)).toEqual(['192.0.2.1']);
  });
});

describe('servedRecords', () => {
  it('serves unexpired records in pool order with their remaining TTL in whole seconds', () => {
    const state = seededPool();
    expect(servedRecords(state, 10_000).map((record) => [record.data, record.ttl])).toEqual([
      ['192.0.2.1', 60],
      ['192.0.2.2', 300],
    ]);
    expect(servedRecords(state, 69_999).map((record) => [record.data, record.ttl])).toEqual([
      ['192.0.2.1', 0],
      ['192.0.2.2', 240],
    ]);
    expect(servedRecords(state, 70_000).map((record) => record.data)).toEqual(['192.0.2.2']);
    expect(servedRecords(state, 310_000)).toEqual([]);
    expect(servedRecords(null, 0)).toEqual([]);
  });
});

describe('negative pools', () => {
  const nxdomain = { rcode: 'NXDOMAIN', soa: soa('example', 300, 300), ttl: 300 };

  it('serves a negative answer until its TTL runs out', () => {
    const state = applyPoolWrite(null, { ...write(v(0), 0, []), negative: nxdomain }, 0).state;
    expect(servedNegative(state, 100_500)).toMatchObject({ rcode: 'NXDOMAIN', ttl: 199 });
    expect(servedNegative(state, 300_000)).toBeNull();
  });

  it('keeps live addresses over a newer negative answer and serves the negative once they expire', () => {
    const current = seededPool();
    const withLive = applyPoolWrite(
      current,
      { ...write(v(20_000), 20_000, []), negative: nxdomain },
      20_000,
    ).state;
    expect(withLive.negative).toBeNull();
    expect(addressesOf(servedRecords(withLive, 20_000))).toEqual(['192.0.2.1', '192.0.2.2']);

    const afterExpiry = applyPoolWrite(
      withLive,
      { ...write(v(400_000), 400_000, []), negative: nxdomain },
      400_000,
    ).state;
    expect(servedRecords(afterExpiry, 400_000)).toEqual([]);
    expect(servedNegative(afterExpiry, 400_000)).toMatchObject({ rcode: 'NXDOMAIN', ttl: 300 });
  });
});

describe('toPoolWrite', () => {
  it('turns a merged answer into a write, and refuses one nobody answered usably', () => {
    const q = question('www.example');
    const clean = sanitizeAnswer(
      q as DnsQuestion,
      response({
        answers: [cname('www.example', 'edge.example'), a('edge.example', '192.0.2.1', 30)],
      }),
    );
    if (!clean.ok) throw new Error(clean.failure.message);
    const merged = mergeAnswers(q, [
      { upstream: 'u1', response: clean.message, answer: clean.answer },
    ]);
    const poolWrite = toPoolWrite(merged, v(1_000), 1_000, true);
    expect(poolWrite).toMatchObject({
      chain: ['www.example', 'edge.example'],
      negative: null,
      swept: true,
    });
    if (poolWrite === null) throw new Error('expected a write');
    const state = applyPoolWrite(null, poolWrite, 1_000).state;
    expect(servedRecords(state, 1_000).map((record) => [record.type, record.ttl])).toEqual([
      ['CNAME', 300],
      ['A', 30],
    ]);

    const failed = mergeAnswers(q, []);
    expect(toPoolWrite(failed, v(1_000), 1_000, true)).toBeNull();
  });
});
