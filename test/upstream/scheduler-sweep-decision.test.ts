import { expect, it } from 'vitest';
import { FakeNetwork, ManualClock } from '../support/manual-clock';
import { settleFanoutOn } from './fanout-harness';

/** A sweep decision that arrives at `atMs` on the manual clock. */
function decisionAt(clock: ManualClock, atMs: number, allowed: boolean): Promise<boolean> {
  return new Promise((resolve) => clock.setTimeout(() => resolve(allowed), atMs));
}

const FIVE_OK = {
  u1: { latencyMs: 50, result: 'ok' },
  u2: { latencyMs: 60, result: 'ok' },
  u3: { latencyMs: 30, result: 'ok' },
  u4: { latencyMs: 30, result: 'ok' },
  u5: { latencyMs: 30, result: 'ok' },
} as const;

function starts(report: Awaited<ReturnType<typeof settleFanoutOn>>) {
  return report.attempts.map((a) => [a.upstream.name, a.tier, a.startedAt]);
}

it('asks only the active tier when the sweep is refused before the first answer', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, FIVE_OK);
  const report = await settleFanoutOn(clock, net, { sweep: decisionAt(clock, 20, false) });

  expect(starts(report)).toEqual([
    ['u1', 'active', 0],
    ['u2', 'active', 0],
  ]);
  expect(report.winner?.upstream.name).toBe('u1');
  expect(report.notStarted.map((u) => u.name)).toEqual(['u3', 'u4', 'u5']);
});

it('stops the background tier when a refusal arrives after the first answer', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, FIVE_OK);
  // The background is due at 50 (first answer) but waits for the decision.
  const report = await settleFanoutOn(clock, net, { sweep: decisionAt(clock, 70, false) });

  expect(starts(report)).toEqual([
    ['u1', 'active', 0],
    ['u2', 'active', 0],
  ]);
  expect(report.notStarted.map((u) => u.name)).toEqual(['u3', 'u4', 'u5']);
});

it('starts the background when a late grant arrives, not before', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, FIVE_OK);
  const report = await settleFanoutOn(clock, net, { sweep: decisionAt(clock, 80, true) });

  expect(starts(report)).toEqual([
    ['u1', 'active', 0],
    ['u2', 'active', 0],
    ['u3', 'background', 80],
    ['u4', 'background', 80],
    ['u5', 'background', 130],
  ]);
  expect(report.notStarted).toEqual([]);
});

it('still fails over to the other upstreams without a sweep, and stops at the first answer', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, {
    u1: { latencyMs: 30, result: 'servfail' },
    u2: { latencyMs: 30, result: 'servfail' },
    u3: { latencyMs: 20, result: 'ok' },
    u4: { latencyMs: 40, result: 'ok' },
    u5: { latencyMs: 30, result: 'ok' },
  });
  const report = await settleFanoutOn(clock, net, { sweep: decisionAt(clock, 10, false) });

  expect(starts(report)).toEqual([
    ['u1', 'active', 0],
    ['u2', 'active', 0],
    ['u3', 'background', 30],
    ['u4', 'background', 30],
  ]);
  expect(report.winner?.upstream.name).toBe('u3');
  expect(report.notStarted.map((u) => u.name)).toEqual(['u5']);
});

it('sweeps as without a decision when the decision rejects', async () => {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, FIVE_OK);
  const report = await settleFanoutOn(clock, net, {
    sweep: Promise.reject(new Error('pool unreachable')),
  });

  expect(report.attempts).toHaveLength(5);
  expect(report.notStarted).toEqual([]);
});
