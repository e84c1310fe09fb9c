/**
 * The isolate's flights in progress, by cache key (docs/architecture.md §1.4: identical
 * misses share one fan-out). Every entry carries an expiry, so an entry whose
 * flight never settles (a bug, a platform that dropped its work) stops being
 * joined once its deadline has passed instead of swallowing every later miss
 * for that name for the life of the isolate. The count is bounded too: a
 * burst of distinct names cannot grow the map without limit.
 */
import type { FlightAnswer } from './flight';

/**
 * Flights tracked at once. Each entry is a key and two references (well
 * under 1 KB); past this many, new misses still fly, just without sharing.
 */
export const MAX_INFLIGHT_FLIGHTS = 1_000;

export interface InflightFlight {
  /** Never rejects. */
  readonly answer: Promise<FlightAnswer>;
  /** Settles when the flight is over (pool written, caches refilled): it is forgotten then. */
  readonly done: Promise<unknown>;
  /** Clock time by which a joined client stops waiting for the answer. */
  readonly answerBy: number;
  /** Clock time after which nobody joins this flight any more, settled or not. */
  readonly expiresAt: number;
}

export class InflightFlights {
  readonly #flights = new Map<string, InflightFlight>();

  constructor(readonly maxFlights = MAX_INFLIGHT_FLIGHTS) {}

  get size(): number {
    return this.#flights.size;
  }

  /** The live flight for `key`, or undefined; an expired one is forgotten here. */
  join(key: string, now: number): InflightFlight | undefined {
    const flight = this.#flights.get(key);
    if (flight === undefined) return undefined;
    if (flight.expiresAt > now) return flight;
    this.#flights.delete(key);
    return undefined;
  }

  /**
   * Registers a flight until it is done or expires, replacing any other for
   * `key`. Returns false (and keeps nothing) when the map is full of live
   * flights: the caller's flight still runs, it is only not shared.
   */
  add(key: string, flight: InflightFlight, now: number): boolean {
    if (!this.#flights.has(key) && this.#flights.size >= this.maxFlights) this.#dropExpired(now);
    if (!this.#flights.has(key) && this.#flights.size >= this.maxFlights) return false;
    this.#flights.set(key, flight);
    const forget = () => {
      if (this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    void flight.done.then(forget, forget);
    return true;
  }

  #dropExpired(now: number): void {
    for (const [key, flight] of this.#flights) {
      if (flight.expiresAt <= now) this.#flights.delete(key);
    }
  }
}
