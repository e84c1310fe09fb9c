import { env } from 'cloudflare:test';
/**
 * docs/architecture.md §5 (issue 9, observation 4): TTLs are bounded once, where an answer
 * enters: a TTL with the top bit set counts as 0 (RFC 2181 §8), a positive TTL
 * is capped at one day. The wire TTL, `max-age` and how long the answer is
 * cached then agree on every path: first answer, a client soon after, the pool
 * and a client after the pool write.
 */
import { describe, expect, it } from 'vitest';
import { thisIsolate } from '../../src/resolver/isolate-resolver';
import { ttlBehaviour } from '../support/hostility';
import { plainCacheKey } from './fleet-worker';
import {
  fourViews,
  hostileUpstreams,
  POSITIVE_CAP,
  ttlsOf,
  uniqueHostileName,
} from './hostile-worker';

const TOP_BIT = 2 ** 31;
/** Wire TTL -> what a client may be served at most (counting down only lowers it). */
const CASES: ReadonlyArray<[wire: number, bounded: number]> = [
  [0, 0],
  [TOP_BIT - 1, POSITIVE_CAP],
  [TOP_BIT, 0],
  [TOP_BIT + 1, 0],
  [86_401, POSITIVE_CAP],
  [1_000_000, POSITIVE_CAP],
];
/** Whole seconds a test's own steps may take: TTLs count down while it runs. */
const SLACK_S = 5;

describe('TTLs are bounded where an answer enters', () => {
  for (const [wire, bounded] of CASES) {
    it(`serves wire TTL ${wire} as ${bounded} on every path`, async () => {
      const upstreams = hostileUpstreams();
      const name = uniqueHostileName(ttlBehaviour(wire));
      const views = await fourViews(name, upstreams);

      for (const served of [views.first, views.soon, views.after]) {
        const ttls = ttlsOf(served.message);
        expect(ttls.length).toBeGreaterThan(0);
        for (const ttl of ttls) {
          expect(ttl).toBeLessThanOrEqual(bounded);
          expect(ttl).toBeGreaterThanOrEqual(Math.max(0, bounded - SLACK_S));
        }
        expect(served.maxAge).toBe(Math.min(...ttls));
      }
      expect(views.first.message.answers?.map((r) => ('ttl' in r ? r.ttl : null))).toEqual([
        bounded,
      ]);

      if (bounded === 0) {
        // Nothing that may not be reused is kept: not in the pool, not in memory.
        expect(views.pool?.records ?? []).toEqual([]);
        expect(thisIsolate.answerCache(env).memory.get(plainCacheKey(name))).toBeUndefined();
      } else {
        for (const record of views.pool?.records ?? []) {
          expect(record.ttl).toBeLessThanOrEqual(bounded);
        }
        expect(views.pool?.records.length).toBe(2);
        expect(
          thisIsolate.answerCache(env).memory.get(plainCacheKey(name))?.ttl,
        ).toBeLessThanOrEqual(bounded);
      }
    });
  }
});
