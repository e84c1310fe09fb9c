/**
 * docs/architecture.md §4 (issue 9, observation 3): answers for class CH (or any class but
 * IN) are cached as the winner gave them and never pooled, so an IN client
 * of the same name and type never gets them, relabelled or not.
 */
import { expect, it } from 'vitest';
import { Hostility } from '../support/hostility';
import { answerClassData, fourViews, hostileUpstreams, uniqueHostileName } from './hostile-worker';

/** A one-string TXT record as the admin view renders it. */
const txtData = (text: string) =>
  `[0x${[...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('')}]`;

it('serves CH answers to CH clients and IN answers to IN clients, CH first', async () => {
  const upstreams = hostileUpstreams();
  const name = uniqueHostileName(Hostility.byClass);

  const chaos = await fourViews(name, upstreams, { type: 'TXT', qclass: 'CH' });
  for (const served of [chaos.first, chaos.soon, chaos.after]) {
    expect(answerClassData(served.message)).toEqual(['CH ch-hostile']);
  }
  expect(chaos.pool).toBeNull();

  const internet = await fourViews(name, upstreams, { type: 'TXT' });
  expect(answerClassData(internet.first.message)).toEqual(['IN in-hostile']);
  for (const served of [internet.first, internet.soon, internet.after]) {
    expect(answerClassData(served.message).every((t) => t.startsWith('IN in-'))).toBe(true);
  }
  // The admin view shows TXT strings as their bytes.
  expect(internet.pool?.records.map((r) => r.data).sort()).toEqual(
    [txtData('in-honest'), txtData('in-hostile')].sort(),
  );
  expect(answerClassData(internet.after.message).sort()).toEqual(['IN in-honest', 'IN in-hostile']);
});
