/**
 * docs/operations.md §5: every DoH response says in Server-Timing whether it came from
 * the cache, which upstream won and how long its exchange took, and how long each phase
 * of the worker's own path took (every phase named, 0 when it did not run); the query
 * log line carries the same phases.
 */
import { afterEach, beforeEach, expect, inject, it, type MockInstance, vi } from 'vitest';
import { PHASES } from '../../src/observability/phase-timing';
import type { QueryLog } from '../../src/observability/query-log';
import { callWorker, getPath, queryBytes } from './worker-client';

let logSpy: MockInstance<typeof console.log>;
beforeEach(() => {
  logSpy = vi.spyOn(console, 'log');
});
afterEach(() => {
  logSpy.mockRestore();
});

/** `name;dur=…` of every phase, in the order the worker runs them. */
function phaseDurations(timing: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of timing.split(',')) {
    const match = /^\s*([a-z-]+);dur=([\d.]+)/.exec(entry);
    if (match?.[1] && match[2]) found.set(match[1], Number(match[2]));
  }
  return found;
}

function queryLines(name: string): QueryLog[] {
  return logSpy.mock.calls
    .map(([line]) => (typeof line === 'string' && line.startsWith('{"event":"query"') ? line : ''))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as QueryLog)
    .filter((line) => line.name === name);
}

it('names the cache status, the winning upstream and every phase, then a hit with no upstream', async () => {
  const bindings = { UPSTREAMS: inject('fleetUpstreams'), LOG_HIT_SAMPLE_RATE: '1' };
  const name = `timing-${crypto.randomUUID()}.fleet.test`;

  const miss = await callWorker(getPath(queryBytes(name)), undefined, bindings);
  const missTiming = miss.response.headers.get('server-timing') ?? '';
  expect(missTiming).toMatch(/cache;desc="miss"/);
  expect(missTiming).toMatch(/exchange;dur=[\d.]+;desc="fleet-\d"/);
  expect(missTiming).toMatch(/upstream;dur=[\d.]+;desc="fleet-\d"/);
  const missPhases = phaseDurations(missTiming);
  expect([...missPhases.keys()]).toEqual(['exchange', ...PHASES, 'total']);
  // The fleet's fastest upstream answers after 10 ms or more: the request waited for it.
  expect(missPhases.get('upstream')).toBeGreaterThan(0);
  await miss.background;

  const hit = await callWorker(getPath(queryBytes(name)), undefined, bindings);
  const hitTiming = hit.response.headers.get('server-timing') ?? '';
  expect(hitTiming).toMatch(/cache;desc="hit"/);
  expect(hitTiming).not.toMatch(/exchange;/);
  const hitPhases = phaseDurations(hitTiming);
  expect([...hitPhases.keys()]).toEqual([...PHASES, 'total']);
  expect(hitPhases.get('upstream')).toBe(0);
  expect(hitPhases.get('colo-cache')).toBe(0);
  await hit.background;

  const [missLine, hitLine] = queryLines(name);
  expect(Object.keys(missLine?.phases ?? {})).toEqual([...PHASES, 'total']);
  expect(Object.keys(hitLine?.phases ?? {})).toEqual([...PHASES, 'total']);
  expect(hitLine?.phases?.upstream).toBe(0);
});
