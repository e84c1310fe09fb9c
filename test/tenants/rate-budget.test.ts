/**
 * The lease rules of the per-client budget (src/tenants/rate-budget.ts), on a
 * clock moved by hand and a binding that answers as told.
 */
import { expect, it } from 'vitest';
import { RATE_LEASE_REQUESTS, RATE_RECHECK_MS, RateBudget } from '../../src/tenants/rate-budget';

function budgetWith(answers: boolean[] | Error) {
  let now = 0;
  const asked: string[] = [];
  const background: Promise<unknown>[] = [];
  const budget = new RateBudget(
    async (key) => {
      asked.push(key);
      if (answers instanceof Error) throw answers;
      return answers.shift() ?? true;
    },
    { now: () => now },
  );
  return {
    budget,
    asked,
    take: (key = 'k') => budget.take(key, (work) => background.push(work)),
    settle: () => Promise.all(background.splice(0)),
    advance: (ms: number) => {
      now += ms;
    },
  };
}

it('serves a new client at once and asks the binding beside it, once per lease', async () => {
  const b = budgetWith([true, true]);
  for (let i = 0; i < RATE_LEASE_REQUESTS; i++) expect(b.take()).toBe('allowed');
  expect(b.asked).toEqual(['k']);
  await b.settle();
  expect(b.take()).toBe('allowed');
  expect(b.asked).toEqual(['k', 'k']);
});

it('refuses from the next request on once the binding refuses, and withdraws the advance', async () => {
  const b = budgetWith([false, false, true]);
  expect(b.take()).toBe('allowed');
  await b.settle();
  expect(b.take()).toBe('limited');
  expect(b.asked).toHaveLength(1);

  // Past the recheck time one request waits for the binding; the others are refused meanwhile.
  b.advance(RATE_RECHECK_MS);
  const recheck = b.take();
  expect(recheck).toBeInstanceOf(Promise);
  expect(b.take()).toBe('limited');
  expect(await recheck).toBe(false);
  expect(b.take()).toBe('limited');

  b.advance(RATE_RECHECK_MS);
  expect(await b.take()).toBe(true);
  // The granted recheck opened a lease: the rest of it is served from memory.
  for (let i = 1; i < RATE_LEASE_REQUESTS; i++) expect(b.take()).toBe('allowed');
  expect(b.asked).toHaveLength(3);
});

it('keeps clients apart and treats a failing binding as granting', async () => {
  const b = budgetWith(new Error('limiter down'));
  expect(b.take('a')).toBe('allowed');
  expect(b.take('b')).toBe('allowed');
  await b.settle();
  expect(b.asked).toEqual(['a', 'b']);
  expect(b.take('a')).toBe('allowed');
});
