/**
 * The scheduler run against fake upstreams on a manual clock, so each
 * scheduler and health test states only its network, its settings and what it
 * expects to see.
 */
import type { Fanout, FanoutReport, FanoutSettings } from '../../src/upstream/scheduler';
import { DEFAULT_FANOUT_SETTINGS, startFanout } from '../../src/upstream/scheduler';
import type { Upstream } from '../../src/upstream/types';
import { type FakeBehaviour, FakeNetwork, ManualClock } from '../support/manual-clock';

/** A DNS header's worth of bytes: the scheduler and the fakes never read the query. */
const QUERY_BYTES = 12;

export interface FanoutOptions {
  /** The ranked list to ask; by default the network's own upstreams, in order. */
  readonly upstreams?: readonly Upstream[];
  /** By default `DEFAULT_FANOUT_SETTINGS`. */
  readonly settings?: FanoutSettings;
  /** The sweep decision (FanoutInput.sweep); absent: the fan-out sweeps. */
  readonly sweep?: Promise<boolean>;
}

export interface StartedFanout {
  readonly clock: ManualClock;
  readonly net: FakeNetwork;
  readonly fanout: Fanout;
}

export interface SettledFanout extends StartedFanout {
  readonly report: FanoutReport;
}

/** Starts one fan-out over an existing fake network; the clock does not move. */
export function startFanoutOn(
  clock: ManualClock,
  net: FakeNetwork,
  options: FanoutOptions = {},
): Fanout {
  return startFanout({
    upstreams: options.upstreams ?? net.upstreams,
    query: new Uint8Array(QUERY_BYTES),
    exchange: net.exchange,
    settings: options.settings ?? DEFAULT_FANOUT_SETTINGS,
    clock,
    ...(options.sweep ? { sweep: options.sweep } : {}),
  });
}

/** Runs one fan-out over an existing fake network until no timer is left, and reports it. */
export async function settleFanoutOn(
  clock: ManualClock,
  net: FakeNetwork,
  options: FanoutOptions = {},
): Promise<FanoutReport> {
  const fanout = startFanoutOn(clock, net, options);
  await clock.runUntilIdle();
  return fanout.settled;
}

/** A fresh clock and fake network (in rank order) with a fan-out started at t=0. */
export function startFakeFanout(
  behaviours: Record<string, FakeBehaviour>,
  options: FanoutOptions = {},
): StartedFanout {
  const clock = new ManualClock();
  const net = new FakeNetwork(clock, behaviours);
  return { clock, net, fanout: startFanoutOn(clock, net, options) };
}

/** Like `startFakeFanout`, then runs the clock until the fan-out has settled. */
export async function runFakeFanout(
  behaviours: Record<string, FakeBehaviour>,
  options: FanoutOptions = {},
): Promise<SettledFanout> {
  const started = startFakeFanout(behaviours, options);
  await started.clock.runUntilIdle();
  return { ...started, report: await started.fanout.settled };
}
