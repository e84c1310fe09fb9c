/**
 * Asks one upstream one question and checks the answer: the unit the
 * scheduler fans out. Never throws; every way it can go wrong is a typed
 * UpstreamFailure the health tracking can count.
 *
 * Order of checks: transport failure; undecodable bytes (`malformed`); not an
 * answer to this query (`mismatch`, docs/architecture.md §2); TC=1 (`truncated`: a stream
 * transport has no larger size to retry with, RFC 7766 §8); then the one
 * sanitizer (sanitize-answer.ts), which also decides usability. What comes
 * out is the clean answer; the raw bytes go no further.
 */
import { type DnsQuestion, decodeMessage, FLAGS } from '../dns/codec';
import { checkResponse } from './check-response';
import { DOH_QUERY_ID, randomQueryId, withQueryId } from './query-id';
import { sanitizeAnswer } from './sanitize-answer';
import { describeError, failure } from './transport-failure';
import { transportFor } from './transport-for';
import type { Exchange, ExchangeResult, Transport, Upstream, UpstreamScheme } from './types';

export interface ExchangeDependencies {
  /** Picks the transport for an upstream; tests substitute one. */
  readonly transportFor: (upstream: Upstream) => Transport;
  /** Message IDs for TCP/DoT queries; tests make them predictable. */
  readonly randomQueryId: () => number;
}

/**
 * Builds an Exchange over the given transports. The worker uses the default
 * `exchange` below; tests call this to inject transports or IDs.
 *
 * The returned message keeps the upstream-side ID: whoever answers a client
 * sets the client's ID.
 */
export function createExchange(
  dependencies: ExchangeDependencies = { transportFor, randomQueryId },
): Exchange {
  return async function exchange(upstream, query, signal): Promise<ExchangeResult> {
    const question = singleQuestion(query);
    if (typeof question === 'string') return failure('malformed', `query: ${question}`);

    const id = usesMessageId(upstream.scheme) ? dependencies.randomQueryId() : undefined;
    let result: Awaited<ReturnType<Transport>>;
    try {
      const transport = dependencies.transportFor(upstream);
      result = await transport(withQueryId(query, id ?? DOH_QUERY_ID), signal);
    } catch (error) {
      // Transports promise not to throw; a bug there still must not break the fan-out.
      return failure('network', `transport threw: ${describeError(error)}`);
    }
    if (!result.ok) return result;

    let response: ReturnType<typeof decodeMessage>;
    try {
      response = decodeMessage(result.bytes);
    } catch (error) {
      return failure('malformed', `answer does not decode: ${describeError(error)}`);
    }
    const mismatch = checkResponse(question, id, response);
    if (mismatch !== undefined) return { ok: false, failure: mismatch };
    if (((response.flags ?? 0) & FLAGS.TRUNCATED_RESPONSE) !== 0)
      return failure('truncated', 'answer has TC=1');
    const clean = sanitizeAnswer(question, response);
    if (!clean.ok) return clean;
    return { ok: true, response: clean.message, answer: clean.answer };
  };
}

/** The exchange the worker uses: real transports, random IDs. */
export const exchange: Exchange = createExchange();

/**
 * The message ID is what pairs an answer with its query on a stream (RFC
 * 7766 §7); over HTTP the request/response pairing does that, and RFC 8484
 * §4.1 asks for ID 0.
 */
function usesMessageId(scheme: UpstreamScheme): boolean {
  return scheme === 'tcp' || scheme === 'tls';
}

/** The query's one question, or why there is none to check answers against. */
function singleQuestion(query: Uint8Array): DnsQuestion | string {
  try {
    const questions = decodeMessage(query).questions ?? [];
    const [question] = questions;
    if (questions.length !== 1 || question === undefined) {
      return `${questions.length} questions instead of 1`;
    }
    return question;
  } catch (error) {
    return `does not decode: ${describeError(error)}`;
  }
}
