/**
 * Pool storage is bounded in time (docs/architecture.md §4): every stored
 * write arms the object's alarm for the latest expiry it holds plus the
 * stale window, and the alarm removes what is past that: single types
 * first, all storage once nothing is left. Time moves through the object's
 * clock seam, starting from real time so the platform never fires the alarm
 * on its own during the test.
 */
import { env, runDurableObjectAlarm } from 'cloudflare:test';
import { expect, it } from 'vitest';
import { STALE_WINDOW_S } from '../../src/cache/answer-cache';
import { poolObject } from './domain-pool-object';
import { NAME, rec, v, write } from './pool-fixtures';
import { storageOf } from './pool-storage';

const STALE_WINDOW_MS = STALE_WINDOW_S * 1_000;

function stubOf(objectName: string) {
  return env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(objectName));
}

it('removes all storage once everything in it is past the stale window', async () => {
  const objectName = `alarm-gone-${crypto.randomUUID()}`;
  const pool = poolObject(objectName);
  const t0 = Date.now();
  await pool.setClock(t0);
  await pool.write({ name: NAME, type: 'A', write: write(v(t0), t0, [rec('192.0.2.1', 60)]) });
  expect((await storageOf(objectName)).alarm).toBe(t0 + 60_000 + STALE_WINDOW_MS);

  await pool.setClock(t0 + 60_000 + STALE_WINDOW_MS);
  expect(await runDurableObjectAlarm(stubOf(objectName))).toBe(true);
  expect(await storageOf(objectName)).toMatchObject({ tables: [], alarm: null });
  expect(await pool.inspect('A')).toBeNull();
});

it('keeps a type that is still within its window and re-arms for it', async () => {
  const objectName = `alarm-live-${crypto.randomUUID()}`;
  const pool = poolObject(objectName);
  const t0 = Date.now();
  await pool.setClock(t0);
  await pool.write({ name: NAME, type: 'A', write: write(v(t0), t0, [rec('192.0.2.1', 60)]) });
  const aaaa = write(v(t0), t0, [{ ...rec('2001:db8::1', 3_600), type: 'AAAA' }]);
  await pool.write({ name: NAME, type: 'AAAA', write: aaaa });
  // The latest expiry over all types, whichever type was written last.
  const aaaaUntil = t0 + 3_600_000 + STALE_WINDOW_MS;
  expect((await storageOf(objectName)).alarm).toBe(aaaaUntil);

  // The platform may run an alarm late or early (a test does here): the rows decide.
  await pool.setClock(t0 + 60_000 + STALE_WINDOW_MS);
  expect(await runDurableObjectAlarm(stubOf(objectName))).toBe(true);
  expect(await pool.inspect('A')).toBeNull();
  expect((await pool.inspect('AAAA'))?.version).toBeDefined();
  expect(await storageOf(objectName)).toMatchObject({ tables: ['pools'], alarm: aaaaUntil });

  await pool.setClock(aaaaUntil);
  expect(await runDurableObjectAlarm(stubOf(objectName))).toBe(true);
  expect(await storageOf(objectName)).toMatchObject({ tables: [], alarm: null });
});
