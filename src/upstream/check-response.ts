/**
 * Checks that a response answers the query that was sent (docs/architecture.md §2, RFC 5452
 * §4.3 and RFC 7766 §7): same ID, QR set, opcode QUERY, same question. A
 * response that fails any of these answers something else and must never be
 * used, whatever it contains.
 */
import type { DnsMessage, DnsQuestion } from '../dns/codec';
import { canonicalName } from '../pool/canonical-data';
import { NOERROR, NXDOMAIN, responseCode } from './response-code';
import type { UpstreamFailure } from './types';

const OPCODE_SHIFT = 11;
const OPCODE_MASK = 0xf;
/** Opcode QUERY (RFC 1035 §4.1.1): the only one this resolver sends. */
const OPCODE_QUERY = 0;
/** Class IN, which dns-packet assumes when a question has none. */
const DEFAULT_CLASS = 'IN';

/**
 * Returns a `mismatch` failure, or undefined when the response belongs to the
 * query. `expectedId` is undefined for DoH, where the ID is 0 and HTTP already
 * pairs request and response (RFC 8484 §4.1).
 *
 * An error response (RCODE other than NOERROR/NXDOMAIN) without a question
 * is let through: FORMERR and NOTIMP replies often omit it (RFC 1035 leaves
 * it open), and the usability check still rejects it as an `rcode` failure
 * with a more useful name than "mismatch".
 */
export function checkResponse(
  question: DnsQuestion,
  expectedId: number | undefined,
  response: DnsMessage,
): UpstreamFailure | undefined {
  if (response.type !== 'response') return mismatch('QR is not set');
  if (expectedId !== undefined && response.id !== expectedId) {
    return mismatch(`ID ${response.id ?? 'none'} does not match query ID ${expectedId}`);
  }
  const opcode = ((response.flags ?? 0) >> OPCODE_SHIFT) & OPCODE_MASK;
  if (opcode !== OPCODE_QUERY) return mismatch(`opcode ${opcode} is not QUERY`);

  const questions = response.questions ?? [];
  const rcode = responseCode(response);
  if (questions.length === 0 && rcode !== NOERROR && rcode !== NXDOMAIN) return undefined;
  if (questions.length !== 1) return mismatch(`${questions.length} questions instead of 1`);
  const answered = questions[0];
  if (answered === undefined || !sameQuestion(question, answered)) {
    return mismatch(`answers ${describe(answered)} instead of ${describe(question)}`);
  }
  return undefined;
}

function sameQuestion(a: DnsQuestion, b: DnsQuestion): boolean {
  return (
    canonicalName(a.name) === canonicalName(b.name) &&
    a.type === b.type &&
    (a.class ?? DEFAULT_CLASS) === (b.class ?? DEFAULT_CLASS)
  );
}

function describe(question: DnsQuestion | undefined): string {
  if (question === undefined) return 'nothing';
  return `${question.name} ${question.class ?? DEFAULT_CLASS} ${question.type}`;
}

function mismatch(message: string): UpstreamFailure {
  return { kind: 'mismatch', message };
}
