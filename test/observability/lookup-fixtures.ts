/**
 * Builds the `Lookup` a finished flight hands to observability, from a short
 * description of each attempt, so metric and trace tests read like timelines.
 */
import type { FanoutTrigger, Lookup, WriteOutcome } from '../../src/observability/lookup';
import type { UpstreamAttempt } from '../../src/upstream/scheduler';
import type { UpstreamFailureKind } from '../../src/upstream/types';

export interface AttemptSpec {
  upstream: string;
  start: number;
  end: number;
  /** `ok` or a failure kind. */
  outcome?: 'ok' | UpstreamFailureKind;
  tier?: 'active' | 'background';
  /** The failure's message (a failed attempt's `reason` in a trace); `test` when absent. */
  reason?: string;
}

/** 2026-01-01T00:00:00.000Z: a fixed start so ISO timestamps are predictable. */
export const STARTED_AT = Date.UTC(2026, 0, 1);

export function lookupOf(
  attempts: AttemptSpec[],
  options: {
    scope?: string;
    name?: string;
    type?: string;
    records?: string[][];
    write?: WriteOutcome;
    trigger?: FanoutTrigger;
  } = {},
): Lookup {
  const built: UpstreamAttempt[] = attempts.map((a) => ({
    upstream: {
      name: a.upstream,
      url: `tcp://127.0.0.1:53`,
      scheme: 'tcp',
      hostname: '127.0.0.1',
      port: 53,
    },
    tier: a.tier ?? 'active',
    startedAt: a.start,
    endedAt: a.end,
    result:
      (a.outcome ?? 'ok') === 'ok'
        ? {
            ok: true,
            response: { type: 'response', answers: [] },
            answer: { rcode: 'NOERROR', chain: [], negative: null, dropped: [] },
          }
        : {
            ok: false,
            failure: { kind: a.outcome as UpstreamFailureKind, message: a.reason ?? 'test' },
          },
  }));
  const winner =
    built
      .filter((a) => a.result.ok)
      .sort((a, b) => a.endedAt - b.endedAt)
      .at(0) ?? null;
  return {
    scope: options.scope ?? 'acme',
    name: options.name ?? 'www.example.com',
    type: options.type ?? 'A',
    trigger: options.trigger ?? 'miss',
    report: { startedAt: STARTED_AT, attempts: built, winner, notStarted: [] },
    records: (options.records ?? []).map((sources) => ({ sources })),
    ...(options.write ? { write: options.write } : {}),
    version: '0001.0000.test',
  };
}
