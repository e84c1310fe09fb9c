/**
 * The query we send upstream for a client's question. It is rebuilt from the
 * parsed question rather than forwarded, so nothing the client put in it
 * (Client Subnet, cookies, padding, stray records) travels further.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7871#section-11.1 (ECS privacy)
 */
import { encodeMessage, FLAGS, makeQuestion } from './codec';
import { optRecord } from './edns';

export interface UpstreamQuestion {
  readonly name: string;
  readonly type: string;
  readonly qclass: string;
  readonly checkingDisabled: boolean;
  readonly dnssecOk: boolean;
}

/**
 * ID 0 (RFC 8484 §4.1: cache-friendly; stream transports set their own), RD=1
 * because we forward to recursive resolvers, CD as the client asked, and a
 * fresh OPT carrying only the DO bit. The OPT is always sent: DO needs it, and
 * it lets upstreams return Extended DNS Errors.
 */
export function buildUpstreamQuery(question: UpstreamQuestion): Uint8Array<ArrayBuffer> {
  return encodeMessage({
    id: 0,
    type: 'query',
    flags: FLAGS.RECURSION_DESIRED | (question.checkingDisabled ? FLAGS.CHECKING_DISABLED : 0),
    questions: [makeQuestion(question.name, question.type, question.qclass)],
    additionals: [optRecord({ dnssecOk: question.dnssecOk })],
  });
}
