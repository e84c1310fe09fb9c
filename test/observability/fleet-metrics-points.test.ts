/**
 * Fleet metrics (src/observability/fleet-metrics.ts): every query writes one
 * Analytics Engine point, hits and joined clients too, and the query that
 * started a fan-out one more per upstream attempt, in the documented layout.
 */
import { expect, inject, it } from 'vitest';
import type { Bindings } from '../../src/env';
import { DEFAULT_TENANT } from '../../src/resolver/isolate-resolver';
import { fleetBindings, uniqueFleetName } from '../resolver/fleet-worker';
import { rcodeOf, wireAnswer } from '../routes/dns-assertions';
import { callWorker, getPath, queryBytes } from '../routes/worker-client';
import { RecordingDataset } from './recording-dataset';

function withDataset(dataset: AnalyticsEngineDataset | undefined): Partial<Env> {
  // Bindings (the app's view) allows no dataset at all; the test env type does not.
  const bindings: Partial<Bindings> = { ...fleetBindings(), FLEET_METRICS: dataset };
  return bindings as Partial<Env>;
}

async function ask(name: string, dataset: AnalyticsEngineDataset | undefined, type = 'A') {
  const call = await callWorker(getPath(queryBytes(name, type)), undefined, withDataset(dataset));
  const message = await wireAnswer(call.response);
  await call.background;
  return message;
}

it('writes a miss as one query point plus one point per upstream attempt, a hit as one point', async () => {
  const dataset = new RecordingDataset();
  const name = uniqueFleetName('fleet-points');
  await ask(name, dataset);

  const fleet = inject('fleet').map((member) => member.name);
  const [miss, ...others] = dataset.of('query');
  expect(others).toEqual([]);
  const attempts = dataset.of('attempt');
  expect(attempts.map((p) => p.blobs?.[2]).sort()).toEqual([...fleet].sort());
  const winner = attempts.find((p) => p.doubles?.[1] === 1);
  expect(winner).toBeDefined();
  expect(miss).toEqual({
    indexes: [DEFAULT_TENANT],
    blobs: [
      'query',
      DEFAULT_TENANT,
      'miss',
      'NOERROR',
      winner?.blobs?.[2],
      'miss',
      'accepted',
      'A',
    ],
    doubles: [expect.any(Number), fleet.length],
  });
  for (const attempt of attempts) {
    expect(attempt.indexes).toEqual([DEFAULT_TENANT]);
    expect(attempt.blobs).toEqual([
      'attempt',
      DEFAULT_TENANT,
      expect.any(String),
      'ok',
      expect.stringMatching(/^(active|background)$/),
      'miss',
      '',
      'A',
    ]);
    expect(attempt.doubles?.[0]).toBeGreaterThanOrEqual(0);
  }

  await ask(name, dataset);
  expect(dataset.points).toHaveLength(1 + fleet.length + 1);
  expect(dataset.points.at(-1)).toEqual({
    indexes: [DEFAULT_TENANT],
    blobs: ['query', DEFAULT_TENANT, 'hit', 'NOERROR', '', 'none', '', 'A'],
    doubles: [expect.any(Number), 0],
  });
});

it('writes a point for each client that joined another query’s fan-out, and its attempts once', async () => {
  const dataset = new RecordingDataset();
  const name = uniqueFleetName('fleet-joined');
  const clients = 4;
  const calls = await Promise.all(
    Array.from({ length: clients }, () =>
      callWorker(getPath(queryBytes(name)), undefined, withDataset(dataset)),
    ),
  );
  await Promise.all(calls.map((call) => call.background));

  const queries = dataset.of('query');
  expect(queries.map((p) => p.blobs?.[5]).sort()).toEqual(['joined', 'joined', 'joined', 'miss']);
  expect(queries.map((p) => p.blobs?.[2])).toEqual(Array(clients).fill('miss'));
  expect(dataset.of('attempt')).toHaveLength(inject('fleet').length);
});

it('writes a local answer as a query point with no fan-out', async () => {
  const dataset = new RecordingDataset();
  await ask(uniqueFleetName('fleet-local'), dataset, 'ANY');
  expect(dataset.points).toEqual([
    {
      indexes: [DEFAULT_TENANT],
      blobs: ['query', DEFAULT_TENANT, 'local', 'NOERROR', '', 'none', '', 'ANY'],
      doubles: [expect.any(Number), 0],
    },
  ]);
});

it('answers as usual when no dataset is bound', async () => {
  const message = await ask(uniqueFleetName('fleet-unbound'), undefined);
  expect(rcodeOf(message)).toBe('NOERROR');
});
