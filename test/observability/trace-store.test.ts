/**
 * docs/operations.md §5: the isolate keeps its last lookups as traces in a ring buffer:
 * bounded, newest first, findable by id until evicted.
 */
import { expect, it } from 'vitest';
import { TraceStore } from '../../src/observability/trace-store';
import { lookupOf } from './lookup-fixtures';

const oneAttempt = [{ upstream: 'u1', start: 0, end: 5 }];

it('keeps only the newest traces once full and lists them newest first', () => {
  const store = new TraceStore(3);
  const ids = [1, 2, 3, 4, 5].map(
    (i) => store.add(lookupOf(oneAttempt, { name: `n${i}.test` })).id,
  );
  expect(store.list().map((t) => t.name)).toEqual(['n5.test', 'n4.test', 'n3.test']);
  expect(store.get(ids[0] ?? '')).toBeUndefined();
  expect(store.get(ids[1] ?? '')).toBeUndefined();
  expect(store.get(ids[4] ?? '')?.name).toBe('n5.test');
});

it('lists fewer traces than its capacity in order before it wraps', () => {
  const store = new TraceStore(5);
  store.add(lookupOf(oneAttempt, { name: 'a.test' }));
  store.add(lookupOf(oneAttempt, { name: 'b.test' }));
  expect(store.list().map((t) => t.name)).toEqual(['b.test', 'a.test']);
});

it('gives every trace its own id', () => {
  const store = new TraceStore(50);
  const ids = new Set(Array.from({ length: 50 }, () => store.add(lookupOf(oneAttempt)).id));
  expect(ids.size).toBe(50);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
});

it('filters by tenant and by name, ignoring case and a trailing dot', () => {
  const store = new TraceStore();
  store.add(lookupOf(oneAttempt, { scope: 'acme', name: 'www.example.com' }));
  store.add(lookupOf(oneAttempt, { scope: 'acme@192.0.2.0/24', name: 'WWW.Example.com' }));
  store.add(lookupOf(oneAttempt, { scope: 'other', name: 'www.example.com' }));
  store.add(lookupOf(oneAttempt, { scope: 'acme', name: 'mail.example.com' }));
  expect(store.list({ tenant: 'acme' })).toHaveLength(3);
  expect(store.list({ tenant: 'acme', name: 'www.example.com.' })).toHaveLength(2);
  expect(store.list({ name: 'WWW.EXAMPLE.COM' }).map((t) => t.tenant)).toEqual([
    'other',
    'acme',
    'acme',
  ]);
});

it('records the start, the answer moment, each attempt and what the merge made of it', () => {
  const store = new TraceStore();
  const trace = store.add(
    lookupOf(
      [
        { upstream: 'u1', start: 0, end: 40, outcome: 'rcode' },
        { upstream: 'u2', start: 0, end: 18 },
        { upstream: 'u3', start: 18, end: 70, tier: 'background' },
      ],
      { records: [['u2', 'u3'], ['u3']], write: 'accepted' },
    ),
  );
  expect(trace).toMatchObject({
    tenant: 'acme',
    startedAt: '2026-01-01T00:00:00.000Z',
    answeredAtMs: 18,
    winner: 'u2',
    mergeSize: 2,
    write: 'accepted',
  });
  expect(trace.attempts).toEqual([
    {
      upstream: 'u1',
      tier: 'active',
      startMs: 0,
      endMs: 40,
      outcome: 'rcode',
      reason: 'test',
      records: 0,
    },
    {
      upstream: 'u2',
      tier: 'active',
      startMs: 0,
      endMs: 18,
      outcome: 'ok',
      reason: null,
      records: 1,
    },
    {
      upstream: 'u3',
      tier: 'background',
      startMs: 18,
      endMs: 70,
      outcome: 'ok',
      reason: null,
      records: 2,
    },
  ]);
});

it('has no answer moment when no upstream answered usably', () => {
  const store = new TraceStore();
  const trace = store.add(lookupOf([{ upstream: 'u1', start: 0, end: 9, outcome: 'refused' }]));
  expect(trace.answeredAtMs).toBeNull();
  expect(trace.winner).toBeNull();
  expect(trace.write).toBeNull();
});

it("keeps why each failed attempt failed, in the transport's words", () => {
  const trace = new TraceStore().add(
    lookupOf([
      { upstream: 'u1', start: 0, end: 8, outcome: 'network', reason: 'connect failed: refused' },
      { upstream: 'u2', start: 0, end: 9 },
    ]),
  );
  expect(trace.attempts.map((a) => [a.outcome, a.reason])).toEqual([
    ['network', 'connect failed: refused'],
    ['ok', null],
  ]);
});
