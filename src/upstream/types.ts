/**
 * Shared vocabulary of the upstream layer: what an upstream is, what a
 * transport returns, and the typed ways an exchange can fail. Every function
 * that talks to an upstream returns one of these instead of throwing, so the
 * scheduler can count failures without try/catch around every call.
 */
import type { DnsMessage } from '../dns/codec';
import type { CleanAnswer } from './sanitize-answer';

export type UpstreamScheme = 'https' | 'http' | 'tcp' | 'tls';

/** One configured upstream resolver. `name` is what logs, metrics and traces show. */
export interface Upstream {
  readonly name: string;
  readonly url: string;
  readonly scheme: UpstreamScheme;
  /** Host and port, parsed once (for tcp/tls the socket address, for http(s) the URL host). */
  readonly hostname: string;
  readonly port: number;
}

export type UpstreamFailureKind =
  /** Connection refused or reset before any answer. */
  | 'refused'
  /** The AbortSignal fired (deadline or caller cancelled) before an answer. */
  | 'timeout'
  /** The peer closed the stream before a whole message arrived. */
  | 'closed'
  /** TC=1 answer: unusable over a stream transport. */
  | 'truncated'
  /** Wrong ID, QR not set, different question or opcode. */
  | 'mismatch'
  /** Bytes that do not decode as a DNS message, or an answer that cannot be trusted (CNAME loop, overlong chain, another class). */
  | 'malformed'
  /** Two different CNAMEs for one owner: which host the client reaches would be a coin toss. */
  | 'ambiguous'
  /** DoH upstream answered with a non-2xx status or a wrong content type. */
  | 'http-error'
  /** Well-formed answer with an RCODE that is not a usable answer (SERVFAIL, REFUSED, FORMERR, ...). */
  | 'rcode'
  /** Any other network error (DNS resolution of the upstream host, TLS, ...). */
  | 'network';

export interface UpstreamFailure {
  readonly kind: UpstreamFailureKind;
  readonly message: string;
  /** HTTP status for `http-error`. */
  readonly status?: number;
  /** RCODE name for `rcode`, e.g. `SERVFAIL`. */
  readonly rcode?: string;
}

/** Raw result of one transport round trip: bytes or a typed failure. */
export type TransportResult =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly failure: UpstreamFailure };

/** Sends one wire-format query and returns the wire-format answer. Never throws. */
export type Transport = (query: Uint8Array, signal: AbortSignal) => Promise<TransportResult>;

/**
 * Result of asking one upstream: a checked, sanitized, usable answer, or a
 * typed failure. `response` is the clean message (sanitize-answer.ts), never
 * the upstream's raw bytes: nothing after the exchange can serve those.
 */
export type ExchangeResult =
  | { readonly ok: true; readonly response: DnsMessage; readonly answer: CleanAnswer }
  | { readonly ok: false; readonly failure: UpstreamFailure };

/** Asks one upstream one question. Never throws; honours the signal. */
export type Exchange = (
  upstream: Upstream,
  query: Uint8Array,
  signal: AbortSignal,
) => Promise<ExchangeResult>;
