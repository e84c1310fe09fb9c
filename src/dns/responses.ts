/**
 * Responses to clients: an upstream answer re-framed for the client that asked,
 * or an error of our own. Both echo the client's ID and question and carry our
 * own OPT (never the upstream's) when the client used EDNS.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8484#section-4.2.1
 */
import {
  type DnsMessage,
  type DnsRecord,
  FLAGS,
  headerRcode,
  makeQuestion,
  optRecords,
} from './codec';
import type { DnsQuery } from './dns-query';
import { encodeResponse, type ResponseFrame } from './encode-response';
import type { ExtendedError } from './extended-errors';
import { rcodeNumber } from './rcodes';

export { EDE, type ExtendedError, readExtendedErrors } from './extended-errors';

/** OPCODE QUERY (RFC 1035 §4.1.1): the only opcode that reaches the response builders. */
const OPCODE_QUERY = 0;
/** TSIG (RFC 8945 §4.2) and SIG(0) (RFC 2931) sign one hop; they are meaningless to our client. */
const HOP_BY_HOP_TYPES = new Set(['OPT', 'TSIG', 'SIG']);
const SERVFAIL = 2;

export interface ClientResponseOptions {
  /** Sent as EDE options when the client used EDNS (RFC 8914); dropped otherwise. */
  extendedErrors?: readonly ExtendedError[];
  /** Replaces every record's TTL, e.g. 30 for a stale answer (RFC 8767 §4). */
  ttlOverride?: number;
}

/**
 * Re-frames an upstream answer for the client: the client's ID and question
 * (its own spelling, see `DnsQuery.questionName`), QR=1, RD and CD as the
 * client asked (RFC 4035 §3.2.2: CD is copied from the query), RA=1, AD/TC
 * and the RCODE as the upstream set them. Answer and
 * authority records are copied; additional records without any upstream OPT,
 * TSIG or SIG(0). An upstream extended RCODE (which our queries never provoke)
 * is answered as SERVFAIL.
 */
export function buildClientResponse(
  query: DnsQuery,
  upstream: DnsMessage,
  options: ClientResponseOptions = {},
): Uint8Array<ArrayBuffer> {
  const upstreamFlags = upstream.flags ?? 0;
  const extended = optRecords(upstream).some((opt) => (opt.extendedRcode ?? 0) !== 0);
  const copy = (records: readonly DnsRecord[] | undefined): DnsRecord[] =>
    (records ?? [])
      .filter((record) => !HOP_BY_HOP_TYPES.has(record.type))
      .map((record) =>
        options.ttlOverride === undefined ? record : { ...record, ttl: options.ttlOverride },
      );
  return encodeResponse(
    frameFor(query),
    {
      rcode: extended ? SERVFAIL : headerRcode(upstream),
      flags: upstreamFlags & (FLAGS.AUTHENTIC_DATA | FLAGS.TRUNCATED_RESPONSE),
      answers: copy(upstream.answers),
      authorities: copy(upstream.authorities),
      additionals: copy(upstream.additionals),
    },
    options.extendedErrors,
  );
}

/**
 * An error of our own for a valid query (SERVFAIL when every upstream failed,
 * REFUSED by policy, ...). `rcode` is a name; extended RCODEs such as BADVERS
 * need the client to have used EDNS and become SERVFAIL otherwise, as do
 * unknown names.
 */
export function buildErrorResponse(
  query: DnsQuery,
  rcode: 'SERVFAIL' | 'REFUSED' | 'NXDOMAIN' | string,
  extendedErrors: readonly ExtendedError[] = [],
): Uint8Array<ArrayBuffer> {
  return encodeResponse(frameFor(query), { rcode: rcodeNumber(rcode) ?? SERVFAIL }, extendedErrors);
}

/** What every response to `query` echoes. */
export function frameFor(query: DnsQuery): ResponseFrame {
  return {
    id: query.id,
    opcode: OPCODE_QUERY,
    recursionDesired: query.recursionDesired,
    checkingDisabled: query.checkingDisabled,
    question: makeQuestion(query.questionName ?? query.name, query.type, query.qclass),
    edns: query.edns === null ? null : { dnssecOk: query.dnssecOk, padded: query.edns.padded },
  };
}
