/**
 * The control endpoint as seen from a test inside workerd (see
 * `control-server.ts` for the routes). Pass a unique `suffix` (the test's own
 * names) so concurrently running test files do not see each other's queries.
 */
import { inject } from 'vitest';
import type { Stats } from './request-log';
import type { FleetFailure, FleetUpstream } from './upstream-fleet';

function controlUrl(path: string, suffix?: string): string {
  const url = new URL(path, `http://127.0.0.1:${inject('controlPort')}`);
  if (suffix !== undefined) url.searchParams.set('suffix', suffix);
  return url.href;
}

async function send(path: string, init: RequestInit, suffix?: string): Promise<unknown> {
  const response = await fetch(controlUrl(path, suffix), init);
  const body: unknown = await response.json();
  if (!response.ok) throw new Error(`control ${path}: ${response.status} ${JSON.stringify(body)}`);
  return body;
}

/** What every loopback server received, only names at or below `suffix` if given. */
export async function fetchStats(suffix?: string): Promise<Stats> {
  return (await send('/stats', { method: 'GET' }, suffix)) as Stats;
}

/** The running fleet members. */
export async function fetchFleet(): Promise<FleetUpstream[]> {
  return ((await send('/fleet', { method: 'GET' })) as { upstreams: FleetUpstream[] }).upstreams;
}

/** Forgets arrivals and fleet overrides (only those for `suffix` if given). */
export async function resetControl(suffix?: string): Promise<void> {
  await send('/reset', { method: 'POST' }, suffix);
}

/** Sets a fleet upstream's answer delay (only for names under `suffix` if given). */
export async function setUpstreamDelay(
  upstream: string,
  delayMs: number,
  suffix?: string,
): Promise<void> {
  await send('/delay', { method: 'POST', body: JSON.stringify({ upstream, delayMs, suffix }) });
}

/** Makes a fleet upstream fail, or (`none`) answer again. */
export async function setUpstreamFailure(
  upstream: string,
  failure: FleetFailure,
  suffix?: string,
): Promise<void> {
  await send('/fail', { method: 'POST', body: JSON.stringify({ upstream, failure, suffix }) });
}
