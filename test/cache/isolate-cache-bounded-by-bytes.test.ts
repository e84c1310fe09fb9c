/**
 * docs/architecture.md §5: isolate memory is bounded. 10,000 entries of up to 64 KB each
 * would be 640 MB in a 128 MB isolate, so the answer cache also holds at
 * most ISOLATE_CACHE_BYTES of (estimated) entries.
 */
import { expect, it } from 'vitest';
import {
  AnswerCache,
  type CachedAnswer,
  ISOLATE_CACHE_BYTES,
  ISOLATE_CACHE_ENTRIES,
} from '../../src/cache/answer-cache';
import type { DnsRecord } from '../../src/dns/codec';

/** About what the largest DNS message (65535 bytes) decodes to: 1,000 A records on a long name. */
function largeEntry(i: number): CachedAnswer {
  const name = `${'x'.repeat(40)}-${i}.large.test`;
  const answers = Array.from(
    { length: 1_000 },
    (_, j): DnsRecord => ({
      name,
      type: 'A',
      class: 'IN',
      ttl: 300,
      data: `198.51.${j >> 8}.${j & 255}`,
    }),
  );
  return {
    rcode: 'NOERROR',
    authenticData: false,
    answers,
    authorities: [],
    storedAt: 0,
    ttl: 300,
  };
}

it('keeps the estimated bytes of its entries under ISOLATE_CACHE_BYTES, evicting the oldest', async () => {
  const cache = new AnswerCache(null);
  const stored = 300;
  for (let i = 0; i < stored; i++) await cache.store(`key-${i}`, largeEntry(i), false);

  expect(cache.memory.bytes).toBeLessThanOrEqual(ISOLATE_CACHE_BYTES);
  expect(cache.memory.size).toBeLessThan(stored);
  expect(cache.memory.size).toBeLessThan(ISOLATE_CACHE_ENTRIES);
  // The newest survive, the oldest went first.
  expect(cache.memory.peek(`key-${stored - 1}`)).toBeDefined();
  expect(cache.memory.peek('key-0')).toBeUndefined();
});
