import { expect, it } from 'vitest';
import {
  DEFAULT_FANOUT_SETTINGS,
  PLATFORM_CONNECTION_LIMIT,
} from '../../src/upstream/fanout-settings';
import { runFakeFanout } from './fanout-harness';

it('opens at most the platform connection limit in parallel mode and starts the rest as slots free', async () => {
  const { net, report } = await runFakeFanout(
    Object.fromEntries(
      Array.from(
        { length: 10 },
        (_, i) => [`u${i + 1}`, { latencyMs: 20 * (i + 1), result: 'ok' }] as const,
      ),
    ),
    { settings: { ...DEFAULT_FANOUT_SETTINGS, mode: 'parallel' } },
  );

  expect(net.peakInflight).toBe(PLATFORM_CONNECTION_LIMIT);
  expect(report.attempts).toHaveLength(10);
  // u1 answers at 20 ms and frees the slot u7 takes; u2 at 40 ms for u8; and so on.
  expect(
    report.attempts.slice(PLATFORM_CONNECTION_LIMIT).map((a) => [a.upstream.name, a.startedAt]),
  ).toEqual([
    ['u7', 20],
    ['u8', 40],
    ['u9', 60],
    ['u10', 80],
  ]);
});
