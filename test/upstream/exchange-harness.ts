/**
 * One question sent through `exchange` to a real loopback server, and the
 * failed result it should come back as, so each exchange test states only the
 * server, the name asked and the failure kind.
 */
import { inject } from 'vitest';
import type { DnsQuestion } from '../../src/dns/codec';
import { exchange } from '../../src/upstream/exchange';
import type { ExchangeResult, Upstream, UpstreamFailureKind } from '../../src/upstream/types';
import { buildQuery, loopbackUpstream, noDeadline } from '../support/dns-query';

/** Long enough for loopback, short enough that the never-answering case keeps the suite fast. */
export const SLOW_SIGNAL_MS = 200;

/** The DoH server that misbehaves as the asked name (a `Misbehaviour`) says. */
export function misbehavingDoh(): Upstream {
  return loopbackUpstream(`bad-http=http://127.0.0.1:${inject('misbehavingHttpPort')}/dns-query`);
}

/** The DNS-over-TCP server that misbehaves as the asked name (a `Misbehaviour`) says. */
export function misbehavingTcp(): Upstream {
  return loopbackUpstream(`bad-tcp=tcp://127.0.0.1:${inject('misbehavingTcpPort')}`);
}

export interface AskOptions {
  readonly type?: DnsQuestion['type'];
  /** By default a signal that never fires. */
  readonly signal?: AbortSignal;
}

/** Asks `upstream` one question about `name` through the real `exchange`. */
export function ask(
  upstream: Upstream,
  name: string,
  { type = 'A', signal = noDeadline() }: AskOptions = {},
): Promise<ExchangeResult> {
  return exchange(upstream, buildQuery(name, type), signal);
}

/**
 * What `toMatchObject` should find in a result that failed as `kind`, with any
 * detail the kind carries (an HTTP `status`, an `rcode`).
 */
export function failedAs(kind: UpstreamFailureKind, detail: Record<string, unknown> = {}) {
  return { ok: false, failure: { kind, ...detail } };
}
