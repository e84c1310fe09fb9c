/**
 * The shape of a health snapshot shared between the isolates of a colo
 * (docs/architecture.md §2), and the check every snapshot passes when read
 * back. A snapshot comes out of the colo's Cache API: bytes any isolate (any
 * version of this worker, or a bug) may have written, so it is validated like
 * an upstream answer and anything off-shape is ignored as a whole.
 */

/** Bumped when the shape changes; a reader ignores every other version. */
export const HEALTH_SNAPSHOT_VERSION = 1;

/**
 * Upstreams in one snapshot: the default tenant may list many (the bench
 * runs 20), a tenant at most 10; the most recently measured go first.
 */
export const MAX_HEALTH_SNAPSHOT_UPSTREAMS = 64;

/**
 * Bytes of one serialized snapshot: 64 upstreams with URLs of up to
 * MAX_SHARED_URL_LENGTH and their figures (~150 bytes) fit; anything larger
 * is not read (a load stops reading at this size).
 */
export const MAX_HEALTH_SNAPSHOT_BYTES = 96 * 1024;

/** Longer URLs (tenant-chosen) are left out of snapshots rather than grow them. */
export const MAX_SHARED_URL_LENGTH = 1_024;
const MAX_SHARED_NAME_LENGTH = 256;

/**
 * An upstream's figures older than this (since the isolate that shared them
 * last measured it) are not adopted: latency from a colo moves with routing
 * and load over minutes, and past a minute the neutral start is as good a guess.
 */
export const HEALTH_SNAPSHOT_MAX_AGE_MS = 60_000;

/**
 * Bounds of plausible figures: a latency sample never exceeds the fan-out
 * deadline (at most 25 s), a cool-down never the 5 min maximum; far larger
 * values mean the snapshot is not ours.
 */
const MAX_SHARED_LATENCY_MS = 60_000;
const MAX_SHARED_COOL_DOWN_MS = 3_600_000;
const MAX_SHARED_FAILURE_RUN = 10_000;

/** What ranking uses of one upstream, with times relative to `takenAt`. */
export interface SharedUpstreamHealth {
  readonly url: string;
  readonly name: string;
  /** Decaying latency average; null until the first answer. */
  readonly ewmaMs: number | null;
  /** Decaying failure rate, 0..1. */
  readonly failureRate: number;
  readonly consecutiveFailures: number;
  /** How much of a cool-down was left at `takenAt`; 0 when not cooling. */
  readonly coolingMs: number;
  /** How long before `takenAt` the figures were last updated. */
  readonly ageMs: number;
}

export interface HealthSnapshot {
  readonly v: typeof HEALTH_SNAPSHOT_VERSION;
  /** The writer's clock (ms since the epoch) when it was taken. */
  readonly takenAt: number;
  readonly upstreams: readonly SharedUpstreamHealth[];
}

/** The snapshot in `value` (parsed JSON), or null if anything about it is off. */
export function parseHealthSnapshot(value: unknown): HealthSnapshot | null {
  if (!isRecord(value) || value.v !== HEALTH_SNAPSHOT_VERSION) return null;
  const { takenAt, upstreams } = value;
  if (!isNumberIn(takenAt, 0, Number.MAX_SAFE_INTEGER)) return null;
  if (!Array.isArray(upstreams) || upstreams.length > MAX_HEALTH_SNAPSHOT_UPSTREAMS) return null;
  const parsed: SharedUpstreamHealth[] = [];
  for (const entry of upstreams) {
    const upstream = parseEntry(entry);
    if (upstream === null) return null;
    parsed.push(upstream);
  }
  return { v: HEALTH_SNAPSHOT_VERSION, takenAt, upstreams: parsed };
}

/** The snapshot in serialized `text`, or null if it is too long, not JSON, or off-shape. */
export function parseHealthSnapshotText(text: string): HealthSnapshot | null {
  if (text.length > MAX_HEALTH_SNAPSHOT_BYTES) return null;
  try {
    return parseHealthSnapshot(JSON.parse(text));
  } catch {
    return null;
  }
}

function parseEntry(value: unknown): SharedUpstreamHealth | null {
  if (!isRecord(value)) return null;
  const { url, name, ewmaMs, failureRate, consecutiveFailures, coolingMs, ageMs } = value;
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_SHARED_URL_LENGTH) {
    return null;
  }
  if (typeof name !== 'string' || name.length > MAX_SHARED_NAME_LENGTH) return null;
  if (ewmaMs !== null && !isNumberIn(ewmaMs, 0, MAX_SHARED_LATENCY_MS)) return null;
  if (!isNumberIn(failureRate, 0, 1)) return null;
  if (
    !Number.isInteger(consecutiveFailures) ||
    !isNumberIn(consecutiveFailures, 0, MAX_SHARED_FAILURE_RUN)
  ) {
    return null;
  }
  if (!isNumberIn(coolingMs, 0, MAX_SHARED_COOL_DOWN_MS)) return null;
  if (!isNumberIn(ageMs, 0, Number.MAX_SAFE_INTEGER)) return null;
  return { url, name, ewmaMs, failureRate, consecutiveFailures, coolingMs, ageMs };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
