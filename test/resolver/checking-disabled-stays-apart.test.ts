/**
 * docs/architecture.md §4 (issue 9, observation 2): an answer fetched with CD=1 (checking
 * disabled) may hold data that failed DNSSEC validation. It is served to CD=1
 * clients only: it is never pooled, so no CD=0 client ever gets it, whichever
 * of the two asks first.
 */
import { describe, expect, it } from 'vitest';
import {
  CHECKING_DISABLED_ADDRESS,
  HONEST_ADDRESS,
  HOSTILE_ADDRESS,
  Hostility,
} from '../support/hostility';
import {
  adminPool,
  answerData,
  ask,
  fourViews,
  hostileUpstreams,
  uniqueHostileName,
} from './hostile-worker';

const plainAddresses = [HONEST_ADDRESS, HOSTILE_ADDRESS].sort();

describe('CD=1 answers never reach CD=0 clients', () => {
  it('keeps the pool clean when CD=1 asks first and CD=0 second', async () => {
    const upstreams = hostileUpstreams();
    const name = uniqueHostileName(Hostility.checkingDisabled);
    const unchecked = await fourViews(name, upstreams, { checkingDisabled: true });
    for (const served of [unchecked.first, unchecked.soon, unchecked.after]) {
      expect(answerData(served.message)).toEqual([CHECKING_DISABLED_ADDRESS]);
    }
    // Never pooled: the shared pool is for plain clients only.
    expect(unchecked.pool).toBeNull();

    const plain = await fourViews(name, upstreams);
    expect(answerData(plain.first.message)).toEqual([HOSTILE_ADDRESS]);
    for (const served of [plain.first, plain.soon, plain.after]) {
      expect(answerData(served.message)).not.toContain(CHECKING_DISABLED_ADDRESS);
    }
    expect(plain.pool?.records.map((r) => r.data).sort()).toEqual(plainAddresses);
    expect(answerData(plain.after.message).sort()).toEqual(plainAddresses);

    // And a CD=1 client still gets its own answer, not the plain pool.
    const again = await ask(name, upstreams, { checkingDisabled: true });
    await again.background;
    expect(answerData(again.message)).toEqual([CHECKING_DISABLED_ADDRESS]);
  });

  it('keeps the pool clean when CD=0 asks first and CD=1 second', async () => {
    const upstreams = hostileUpstreams();
    const name = uniqueHostileName(Hostility.checkingDisabled);
    const plain = await fourViews(name, upstreams);
    expect(answerData(plain.after.message).sort()).toEqual(plainAddresses);

    const unchecked = await fourViews(name, upstreams, { checkingDisabled: true });
    for (const served of [unchecked.first, unchecked.soon, unchecked.after]) {
      expect(answerData(served.message)).toEqual([CHECKING_DISABLED_ADDRESS]);
    }
    expect(unchecked.pool?.records.map((r) => r.data).sort()).toEqual(plainAddresses);

    const later = await ask(name, upstreams);
    await later.background;
    expect(answerData(later.message).sort()).toEqual(plainAddresses);
    expect((await adminPool(name))?.records.map((r) => r.data).sort()).toEqual(plainAddresses);
  });
});
