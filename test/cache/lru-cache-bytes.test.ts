/**
 * The isolate LRU bounds what it holds by count and by estimated bytes
 * (docs/architecture.md §5: isolate memory is bounded): one 64 KB answer must weigh more
 * than one 100-byte answer.
 */
import { Buffer } from 'node:buffer';
import { expect, it } from 'vitest';
import { estimatedBytes, LruCache } from '../../src/cache/lru-cache';

const bySize = (maxEntries: number, maxBytes: number) =>
  new LruCache<string, string>(maxEntries, { maxBytes, sizeOf: (_key, value) => value.length });

it('evicts the least recently used entries until the bytes fit', () => {
  const lru = bySize(100, 1_000);
  lru.set('a', 'x'.repeat(400));
  lru.set('b', 'x'.repeat(400));
  lru.get('a');
  lru.set('c', 'x'.repeat(400));
  expect(lru.peek('b')).toBeUndefined();
  expect(lru.peek('a')).toBeDefined();
  expect(lru.size).toBe(2);
  expect(lru.bytes).toBe(800);
});

it('still evicts by count when the entries are small', () => {
  const lru = bySize(2, 1_000_000);
  for (const key of ['a', 'b', 'c']) lru.set(key, key);
  expect([lru.peek('a'), lru.peek('b'), lru.peek('c')]).toEqual([undefined, 'b', 'c']);
});

it('refuses an entry larger than the whole budget and keeps what it had', () => {
  const lru = bySize(10, 100);
  lru.set('small', 'x'.repeat(50));
  expect(lru.set('huge', 'x'.repeat(101))).toBe(false);
  expect(lru.peek('huge')).toBeUndefined();
  expect(lru.peek('small')).toBeDefined();
  expect(lru.bytes).toBe(50);
});

it('accounts a replaced or deleted entry once', () => {
  const lru = bySize(10, 1_000);
  lru.set('a', 'x'.repeat(300));
  lru.set('a', 'x'.repeat(100));
  expect(lru.bytes).toBe(100);
  lru.delete('a');
  expect(lru.bytes).toBe(0);
  expect(lru.size).toBe(0);
});

it('estimates a buffer-holding value above its raw byte count', () => {
  const data = new Uint8Array(1_000).fill(255);
  expect(estimatedBytes({ data: Buffer.from(data) })).toBeGreaterThan(data.length);
});
