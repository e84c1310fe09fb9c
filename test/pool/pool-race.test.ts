/**
 * The race of docs/architecture.md §4, replayed step by step on the pure update rule with
 * explicit times: a slow background write from an older query must not
 * replace the pool a newer query already wrote.
 */
import { expect, it } from 'vitest';
import { applyPoolWrite, servedRecords } from '../../src/pool/pool-update';
import { compareVersions, VersionClock } from '../../src/pool/query-version';
import { addressesOf, rec, write } from './pool-fixtures';

it('rejects the late write of an earlier query and keeps serving the newer pool in its order', () => {
  let isolateXTime = 0;
  let isolateYTime = 0;
  const isolateX = new VersionClock('isolate-x', () => isolateXTime);
  const isolateY = new VersionClock('isolate-y', () => isolateYTime);

  // An earlier query left a pool: one long-lived address, one short-lived.
  isolateXTime = 500;
  const earlier = applyPoolWrite(
    null,
    write(isolateX.next(), 500, [rec('192.0.2.9', 3_600, ['u1']), rec('192.0.2.1', 2, ['u1'])]),
    500,
  ).state;

  // t=1000: query A starts on isolate X; its active tier answers fast, its background tier is slow.
  isolateXTime = 1_000;
  const versionA = isolateX.next();

  // The short-lived entry expires at 2.5 s. t=4000: query B starts on isolate Y.
  isolateYTime = 4_000;
  const versionB = isolateY.next();
  expect(compareVersions(versionA, versionB)).toBe(-1);

  // t=4100: B's fast background tier writes first.
  const afterB = applyPoolWrite(
    earlier,
    write(versionB, 4_080, [rec('192.0.2.2', 60, ['u2']), rec('192.0.2.3', 60, ['u3'])]),
    4_100,
  );
  expect(afterB.status).toBe('accepted');
  const bOrder = ['192.0.2.9', '192.0.2.2', '192.0.2.3'];
  expect(addressesOf(servedRecords(afterB.state, 4_100))).toEqual(bOrder);

  // t=4500: A's background tier finally finishes and writes its (different, reordered) merge.
  const afterA = applyPoolWrite(
    afterB.state,
    write(versionA, 4_450, [
      rec('192.0.2.3', 60, ['u1']),
      rec('192.0.2.1', 60, ['u4']),
      rec('192.0.2.2', 60, ['u1']),
    ]),
    4_500,
  );
  expect(afterA.status).toBe('rejected');
  expect(afterA.currentVersion).toEqual(versionB);
  expect(afterA.state).toEqual({
    ...afterB.state,
    rejectedWrites: afterB.state.rejectedWrites + 1,
  });

  // The next clients, in any colo, see B's pool (plus unexpired records) in the same order.
  expect(addressesOf(servedRecords(afterA.state, 4_600))).toEqual(bOrder);
  expect(addressesOf(servedRecords(afterA.state, 30_000))).toEqual(bOrder);

  // Isolate X's clock lags (it still reads 3990), but it observed B's version with the
  // rejection, so its next query outranks B and is not doomed to lose again.
  isolateXTime = 3_990;
  isolateX.observe(afterA.currentVersion);
  const versionC = isolateX.next();
  expect(compareVersions(versionC, versionB)).toBe(1);
  const afterC = applyPoolWrite(
    afterA.state,
    write(versionC, 5_000, [rec('192.0.2.4', 60, ['u1']), rec('192.0.2.2', 60, ['u1'])]),
    5_000,
  );
  expect(afterC.status).toBe('accepted');
  expect(addressesOf(servedRecords(afterC.state, 5_000))).toEqual([...bOrder, '192.0.2.4']);
});
