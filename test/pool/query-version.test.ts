import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  formatVersion,
  parseVersion,
  type QueryVersion,
  VersionClock,
} from '../../src/pool/query-version';
import { randomInt, seededRandom } from '../support/seeded-random';

/** A clock whose time only moves when the test says so, like Date.now() in a Worker. */
function manualTime(startMs: number): { now: () => number; advance: (ms: number) => void } {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
  };
}

describe('VersionClock', () => {
  it('increments the counter for queries started in the same millisecond', () => {
    const time = manualTime(1_000);
    const clock = new VersionClock('iso-a', time.now);
    const versions = [clock.next(), clock.next(), clock.next()];
    expect(versions).toEqual([
      { startMs: 1_000, counter: 0, isolateId: 'iso-a' },
      { startMs: 1_000, counter: 1, isolateId: 'iso-a' },
      { startMs: 1_000, counter: 2, isolateId: 'iso-a' },
    ]);
    expect(compareVersions(versions[0] as QueryVersion, versions[1] as QueryVersion)).toBe(-1);
  });

  it('resets the counter when time advances', () => {
    const time = manualTime(1_000);
    const clock = new VersionClock('iso-a', time.now);
    clock.next();
    clock.next();
    time.advance(1);
    expect(clock.next()).toEqual({ startMs: 1_001, counter: 0, isolateId: 'iso-a' });
  });

  it('never goes backward when the wall clock does', () => {
    const time = manualTime(5_000);
    const clock = new VersionClock('iso-a', time.now);
    const first = clock.next();
    time.advance(-2_000);
    const second = clock.next();
    expect(second).toEqual({ startMs: 5_000, counter: 1, isolateId: 'iso-a' });
    expect(compareVersions(first, second)).toBe(-1);
  });

  it('moves past an observed remote version so the next version is greater', () => {
    const time = manualTime(1_000);
    const lagging = new VersionClock('aaa', time.now);
    const remote: QueryVersion = { startMs: 1_500, counter: 7, isolateId: 'zzz' };
    lagging.observe(remote);
    const next = lagging.next();
    expect(next).toEqual({ startMs: 1_500, counter: 8, isolateId: 'aaa' });
    expect(compareVersions(next, remote)).toBe(1);
  });

  it('wins over an observed version with the same start and counter but a larger isolate id', () => {
    const time = manualTime(1_000);
    const clock = new VersionClock('aaa', time.now);
    clock.next();
    const remote: QueryVersion = { startMs: 1_000, counter: 0, isolateId: 'zzz' };
    clock.observe(remote);
    expect(compareVersions(clock.next(), remote)).toBe(1);
  });

  it('ignores an observed version that is already behind it', () => {
    const time = manualTime(9_000);
    const clock = new VersionClock('iso-a', time.now);
    clock.next();
    clock.observe({ startMs: 1_000, counter: 99, isolateId: 'iso-b' });
    expect(clock.next()).toEqual({ startMs: 9_000, counter: 1, isolateId: 'iso-a' });
  });

  it('takes the wall clock again once it passes the observed version', () => {
    const time = manualTime(1_000);
    const clock = new VersionClock('iso-a', time.now);
    clock.observe({ startMs: 1_200, counter: 3, isolateId: 'iso-b' });
    time.advance(500);
    expect(clock.next()).toEqual({ startMs: 1_500, counter: 0, isolateId: 'iso-a' });
  });

  it('refuses isolate ids that would not survive formatting', () => {
    expect(() => new VersionClock('', () => 0)).toThrow(RangeError);
    expect(() => new VersionClock('has space', () => 0)).toThrow(RangeError);
  });
});

describe('formatVersion and parseVersion', () => {
  it('round-trip a version exactly', () => {
    const version: QueryVersion = {
      startMs: 1_767_225_600_123,
      counter: 42,
      isolateId: 'colo-AMS:3f2a.b_c',
    };
    const text = formatVersion(version);
    expect(text).toBe('0001767225600123.0000000000000042.colo-AMS:3f2a.b_c');
    expect(parseVersion(text)).toEqual(version);
    expect(parseVersion(JSON.parse(JSON.stringify(text)) as string)).toEqual(version);
  });

  it('round-trips the extremes of the safe integer range', () => {
    const version = { startMs: Number.MAX_SAFE_INTEGER, counter: 0, isolateId: 'x' };
    expect(parseVersion(formatVersion(version))).toEqual(version);
  });

  it('rejects text that is not a formatted version', () => {
    for (const bad of [
      '',
      '1.2.iso',
      '0001767225600123.0000000000000042.',
      '0001767225600123.0000000000000042.bad id',
      '9999999999999999.0000000000000000.iso',
      ' 0001767225600123.0000000000000042.iso',
    ]) {
      expect(parseVersion(bad), bad).toBeNull();
    }
  });

  it('refuses to format a version that could not be parsed back', () => {
    expect(() => formatVersion({ startMs: -1, counter: 0, isolateId: 'iso' })).toThrow(RangeError);
    expect(() => formatVersion({ startMs: 1.5, counter: 0, isolateId: 'iso' })).toThrow(RangeError);
  });
});

describe('compareVersions', () => {
  it('orders 1,000 random versions totally and consistently with the tuple (seed 20240611)', () => {
    const random = seededRandom(20_240_611);
    const ids = ['a', 'b', 'B', 'iso-1', 'iso-10', 'iso-2'];
    // Few distinct values per field, so ties on start and counter are common.
    const versions: QueryVersion[] = Array.from({ length: 1_000 }, () => ({
      startMs: 1_700_000_000_000 + randomInt(random, 5),
      counter: randomInt(random, 4),
      isolateId: ids[randomInt(random, ids.length)] ?? 'a',
    }));

    const tupleOrder = (a: QueryVersion, b: QueryVersion): number =>
      a.startMs - b.startMs ||
      a.counter - b.counter ||
      (a.isolateId < b.isolateId ? -1 : a.isolateId > b.isolateId ? 1 : 0);

    const sorted = [...versions].sort(compareVersions);
    for (let index = 1; index < sorted.length; index++) {
      const previous = sorted[index - 1] as QueryVersion;
      const current = sorted[index] as QueryVersion;
      expect(compareVersions(previous, current)).toBeLessThanOrEqual(0);
      expect(Math.sign(tupleOrder(previous, current))).toBeLessThanOrEqual(0);
    }

    for (let trial = 0; trial < 1_000; trial++) {
      const a = versions[randomInt(random, versions.length)] as QueryVersion;
      const b = versions[randomInt(random, versions.length)] as QueryVersion;
      const c = versions[randomInt(random, versions.length)] as QueryVersion;
      expect(compareVersions(a, b)).toBe(Math.sign(tupleOrder(a, b)));
      expect(compareVersions(a, b)).toBe(-compareVersions(b, a) || 0);
      expect(compareVersions(a, a)).toBe(0);
      if (compareVersions(a, b) <= 0 && compareVersions(b, c) <= 0) {
        expect(compareVersions(a, c)).toBeLessThanOrEqual(0);
      }
      // The formatted string happens to sort the same way; compareVersions stays the authority.
      const byText =
        formatVersion(a) < formatVersion(b) ? -1 : formatVersion(a) > formatVersion(b) ? 1 : 0;
      expect(byText).toBe(compareVersions(a, b));
    }
  });
});
