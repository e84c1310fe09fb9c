/**
 * Query versions: the order in which queries started, used by the domain pool
 * to reject a write from a query that started before the one already stored
 * (docs/architecture.md §4). A version is `(startMs, counter, isolateId)`, compared
 * lexicographically.
 *
 * @see https://cse.buffalo.edu/tech-reports/2014-04.pdf (hybrid logical clocks)
 */

/** The start of one query, as the pool orders it. */
export interface QueryVersion {
  /** Wall-clock start in ms, never behind anything this isolate has seen. */
  readonly startMs: number;
  /** Distinguishes queries that share `startMs` in one isolate. */
  readonly counter: number;
  /** Final tiebreak between isolates that produced the same `(startMs, counter)`. */
  readonly isolateId: string;
}

/**
 * Isolate ids are restricted to ASCII so that JavaScript code-unit order,
 * SQLite BINARY collation and byte order all agree on them; 64 characters fit
 * a UUID or a colo-prefixed random id with room to spare.
 */
const ISOLATE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/;
/**
 * Decimal digits of `Number.MAX_SAFE_INTEGER` (9007199254740991): fixed-width
 * fields keep formatted versions in version order as plain strings.
 */
const FIELD_DIGITS = 16;
const FORMAT_SEPARATOR = '.';
const FORMAT_PATTERN = new RegExp(
  `^(\\d{${FIELD_DIGITS}})\\.(\\d{${FIELD_DIGITS}})\\.([A-Za-z0-9_.:-]{1,64})$`,
);

/**
 * Compares two versions by `(startMs, counter, isolateId)`; the id compares by
 * UTF-16 code units (not locale), so every isolate and the Durable Object
 * agree on the order. This function, not the formatted string, is the
 * authority on version order.
 */
export function compareVersions(a: QueryVersion, b: QueryVersion): -1 | 0 | 1 {
  if (a.startMs !== b.startMs) return a.startMs < b.startMs ? -1 : 1;
  if (a.counter !== b.counter) return a.counter < b.counter ? -1 : 1;
  if (a.isolateId !== b.isolateId) return a.isolateId < b.isolateId ? -1 : 1;
  return 0;
}

/**
 * Formats a version as `SSSSSSSSSSSSSSSS.CCCCCCCCCCCCCCCC.isolateId` (both
 * numbers zero-padded to 16 digits). Safe in SQL text columns and JSON, and
 * `parseVersion` returns the exact same version. Because the numbers are fixed
 * width and the id is ASCII, plain string order happens to match
 * `compareVersions` (useful for `ORDER BY` in an admin view), but code that
 * decides between versions must call `compareVersions`.
 */
export function formatVersion(version: QueryVersion): string {
  assertValidVersion(version);
  return [
    String(version.startMs).padStart(FIELD_DIGITS, '0'),
    String(version.counter).padStart(FIELD_DIGITS, '0'),
    version.isolateId,
  ].join(FORMAT_SEPARATOR);
}

/** Parses `formatVersion` output; null for anything that is not exactly that. */
export function parseVersion(text: string): QueryVersion | null {
  const match = FORMAT_PATTERN.exec(text);
  if (match === null) return null;
  const [, startText = '', counterText = '', isolateId = ''] = match;
  const startMs = Number(startText);
  const counter = Number(counterText);
  if (!Number.isSafeInteger(startMs) || !Number.isSafeInteger(counter)) return null;
  return { startMs, counter, isolateId };
}

/** True when a value is a well-formed version (e.g. one read back from JSON). */
export function isQueryVersion(value: unknown): value is QueryVersion {
  if (value === null || typeof value !== 'object') return false;
  const candidate = value as Record<string, unknown>;
  return (
    isNonNegativeSafeInteger(candidate.startMs) &&
    isNonNegativeSafeInteger(candidate.counter) &&
    typeof candidate.isolateId === 'string' &&
    ISOLATE_ID_PATTERN.test(candidate.isolateId)
  );
}

/**
 * Hands out increasing versions for the queries of one isolate: a hybrid
 * logical clock over `now()`.
 *
 * `Date.now()` only advances across I/O in Workers, so queries started in one
 * turn share a millisecond; the counter keeps their versions distinct and
 * increasing. `observe` moves the clock past versions the Durable Object
 * reports, so an isolate whose clock lags cannot keep losing every write.
 */
export class VersionClock {
  readonly isolateId: string;
  readonly #now: () => number;
  #lastStartMs = Number.NEGATIVE_INFINITY;
  #lastCounter = 0;

  constructor(isolateId: string, now: () => number) {
    if (!ISOLATE_ID_PATTERN.test(isolateId)) {
      throw new RangeError(`isolate id must match ${ISOLATE_ID_PATTERN}: ${isolateId}`);
    }
    this.isolateId = isolateId;
    this.#now = now;
  }

  /** The version of a query starting now; greater than every earlier one and every observed one. */
  next(): QueryVersion {
    const wallMs = Math.floor(this.#now());
    if (wallMs > this.#lastStartMs) {
      this.#lastStartMs = wallMs;
      this.#lastCounter = 0;
    } else {
      this.#lastCounter += 1;
    }
    return { startMs: this.#lastStartMs, counter: this.#lastCounter, isolateId: this.isolateId };
  }

  /**
   * Moves the clock past a version reported by the Durable Object. The next
   * version is then greater than `remote` whatever the isolate ids: it either
   * starts later or shares `remote.startMs` with a larger counter.
   */
  observe(remote: QueryVersion): void {
    const ahead =
      remote.startMs > this.#lastStartMs ||
      (remote.startMs === this.#lastStartMs && remote.counter > this.#lastCounter);
    if (!ahead) return;
    this.#lastStartMs = remote.startMs;
    this.#lastCounter = remote.counter;
  }
}

function assertValidVersion(version: QueryVersion): void {
  if (!isQueryVersion(version)) {
    throw new RangeError(`not a valid query version: ${JSON.stringify(version)}`);
  }
}

function isNonNegativeSafeInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
