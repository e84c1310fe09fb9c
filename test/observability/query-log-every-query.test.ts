/**
 * docs/operations.md §5: one structured log line per client query, hits sampled by
 * LOG_HIT_SAMPLE_RATE; prefetches and stale refreshes are logged as such.
 */
import { afterEach, beforeEach, expect, it, type MockInstance, vi } from 'vitest';
import type { QueryLog } from '../../src/observability/query-log';
import { PREFETCH_SHARE } from '../../src/resolver/resolver';
import { ageCachedAnswer, fleetBindings, uniqueFleetName } from '../resolver/fleet-worker';
import { wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';

let logSpy: MockInstance<typeof console.log>;
beforeEach(() => {
  logSpy = vi.spyOn(console, 'log');
});
afterEach(() => {
  logSpy.mockRestore();
});

/** The query lines logged for `name` so far. */
function linesFor(name: string): QueryLog[] {
  return logSpy.mock.calls
    .map(([line]) => (typeof line === 'string' && line.startsWith('{"event":"query"') ? line : ''))
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as QueryLog)
    .filter((line) => line.name === name);
}

async function ask(name: string, hitRate: string, type = 'A') {
  const bindings = { ...fleetBindings(), LOG_HIT_SAMPLE_RATE: hitRate };
  const call = await callWorker(getPath(queryBytes(name, type)), undefined, bindings);
  await wireAnswer(call.response);
  await call.background;
}

it('logs every miss with its fan-out and samples plain hits by LOG_HIT_SAMPLE_RATE', async () => {
  const name = uniqueFleetName('log-hits');
  await ask(name, '0');
  await ask(name, '0');
  const [miss, ...rest] = linesFor(name);
  expect(rest).toEqual([]);
  expect(miss).toMatchObject({
    cache: 'miss',
    fanout: 'miss',
    rcode: 'NOERROR',
    write: 'accepted',
  });
  expect(miss?.upstreams?.length).toBeGreaterThan(0);

  await ask(name, '1');
  expect(linesFor(name).slice(1)).toEqual([
    expect.objectContaining({ cache: 'hit', fanout: 'none', winner: null, rcode: 'NOERROR' }),
  ]);
  expect(linesFor(name)[1]).not.toHaveProperty('upstreams');
});

it('logs a local answer even when no hit is sampled', async () => {
  const name = uniqueFleetName('log-local');
  await ask(name, '0', 'ANY');
  expect(linesFor(name)).toEqual([expect.objectContaining({ cache: 'local', fanout: 'none' })]);
});

it('logs a prefetch as a prefetch, with its fan-out, although the client got a hit', async () => {
  const name = uniqueFleetName('log-prefetch');
  await ask(name, '0');
  await ageCachedAnswer(name, (ttl) => ttl - Math.floor(ttl * PREFETCH_SHARE) + 1);
  await ask(name, '0');
  const prefetch = linesFor(name)[1];
  expect(prefetch).toMatchObject({ cache: 'hit', fanout: 'prefetch' });
  expect(prefetch?.upstreams?.length).toBeGreaterThan(0);
});

it('logs a stale refresh as a stale refresh', async () => {
  const name = uniqueFleetName('log-stale');
  await ask(name, '0');
  await ageCachedAnswer(name, (ttl) => ttl + 1);
  await ask(name, '0');
  const refresh = linesFor(name)[1];
  expect(refresh).toMatchObject({ fanout: 'stale-refresh' });
  expect(refresh?.upstreams?.length).toBeGreaterThan(0);
});
