/**
 * Builds the failed branch of a TransportResult / ExchangeResult, so every
 * failure site reads as one line naming its kind.
 */
import type { UpstreamFailure, UpstreamFailureKind } from './types';

export function failure(
  kind: UpstreamFailureKind,
  message: string,
  details: Pick<UpstreamFailure, 'status' | 'rcode'> = {},
): { readonly ok: false; readonly failure: UpstreamFailure } {
  return { ok: false, failure: { kind, message, ...details } };
}

/** The message of anything thrown, for failure messages. */
export function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
