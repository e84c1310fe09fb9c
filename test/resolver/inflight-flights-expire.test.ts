/**
 * The in-flight map can never hold a flight forever: an entry whose answer
 * never settles stops being joined at its expiry, and the map has a size cap.
 */
import { expect, it } from 'vitest';
import type { FlightAnswer } from '../../src/resolver/flight';
import { InflightFlights } from '../../src/resolver/inflight-flights';

const never = new Promise<FlightAnswer>(() => {});
const answered: FlightAnswer = { entry: null, extendedErrors: [], winner: null };

it('stops joining a flight that never settles once it expired', () => {
  const flights = new InflightFlights();
  flights.add('k', { answer: never, done: never, answerBy: 1_000, expiresAt: 3_000 }, 0);
  expect(flights.join('k', 2_999)?.answer).toBe(never);
  expect(flights.join('k', 3_000)).toBeUndefined();
  expect(flights.size).toBe(0);
});

it('forgets a flight as soon as it is done', async () => {
  const flights = new InflightFlights();
  const done = Promise.resolve();
  flights.add(
    'k',
    { answer: Promise.resolve(answered), done, answerBy: 1_000, expiresAt: 3_000 },
    0,
  );
  await done;
  await Promise.resolve();
  expect(flights.join('k', 1)).toBeUndefined();
});

it('shares no more flights than its cap, making room from expired ones first', () => {
  const flights = new InflightFlights(2);
  expect(flights.add('a', { answer: never, done: never, answerBy: 100, expiresAt: 100 }, 0)).toBe(
    true,
  );
  expect(
    flights.add('b', { answer: never, done: never, answerBy: 5_000, expiresAt: 5_000 }, 0),
  ).toBe(true);
  expect(
    flights.add('c', { answer: never, done: never, answerBy: 5_000, expiresAt: 5_000 }, 50),
  ).toBe(false);
  expect(
    flights.add('c', { answer: never, done: never, answerBy: 5_000, expiresAt: 5_000 }, 100),
  ).toBe(true);
  expect(flights.size).toBe(2);
  expect(flights.join('a', 100)).toBeUndefined();
});
