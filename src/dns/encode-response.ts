/**
 * The single place where a response message to a client is assembled: header
 * flags, echoed question, our own OPT with Extended DNS Errors, padding, and the
 * extended RCODE split between header and OPT.
 */
import { type DnsMessage, type DnsQuestion, type DnsRecord, encodeMessage, FLAGS } from './codec';
import { encodePadded, MAX_MESSAGE_LENGTH, optRecord } from './edns';
import { type ExtendedError, extendedErrorOption } from './extended-errors';

/** What a response echoes from the query it answers. */
export interface ResponseFrame {
  readonly id: number;
  /** Echoed as RFC 1035 §4.1.1 says the responder copies OPCODE. */
  readonly opcode: number;
  readonly recursionDesired: boolean;
  readonly checkingDisabled: boolean;
  /** null when the query had no single well-formed question to echo. */
  readonly question: DnsQuestion | null;
  /** null when the client sent no (usable) OPT: then the response carries none (RFC 6891 §7). */
  readonly edns: null | { readonly dnssecOk: boolean; readonly padded: boolean };
}

/** What the response says. */
export interface ResponseBody {
  /** Full RCODE, up to 12 bits. */
  readonly rcode: number;
  /** Extra header bits to set: AD, TC. CD is the query's (ResponseFrame). */
  readonly flags?: number;
  readonly answers?: readonly DnsRecord[];
  readonly authorities?: readonly DnsRecord[];
  readonly additionals?: readonly DnsRecord[];
}

const OPCODE_SHIFT = 11;
const HEADER_RCODE_BITS = 4;
const HEADER_RCODE_MASK = 0xf;
const SERVFAIL = 2;

/** Encodes a response. Never larger than 65535 octets (sections are shed, then TC is set). */
export function encodeResponse(
  frame: ResponseFrame,
  body: ResponseBody,
  extendedErrors: readonly ExtendedError[] = [],
): Uint8Array<ArrayBuffer> {
  // Without an OPT record only the 4 header bits exist; an extended RCODE
  // cannot be expressed and SERVFAIL is the honest fallback (RFC 6891 §6.1.3).
  const rcode = frame.edns === null && body.rcode > HEADER_RCODE_MASK ? SERVFAIL : body.rcode;
  const flags =
    (frame.opcode << OPCODE_SHIFT) |
    (frame.recursionDesired ? FLAGS.RECURSION_DESIRED : 0) |
    FLAGS.RECURSION_AVAILABLE |
    (frame.checkingDisabled ? FLAGS.CHECKING_DISABLED : 0) |
    (body.flags ?? 0) |
    (rcode & HEADER_RCODE_MASK);

  const attempts: ResponseBody[] = [
    body,
    { ...body, additionals: [] },
    { ...body, additionals: [], authorities: [] },
    // RFC 2181 §9: a message that cannot hold the whole answer says so with TC.
    { ...body, additionals: [], authorities: [], answers: [], flags: FLAGS.TRUNCATED_RESPONSE },
  ];
  let encoded = new Uint8Array(0);
  for (const attempt of attempts) {
    encoded = encodeOnce(frame, attempt, flags | (attempt.flags ?? 0), rcode, extendedErrors);
    if (encoded.length <= MAX_MESSAGE_LENGTH) break;
  }
  return encoded;
}

function encodeOnce(
  frame: ResponseFrame,
  body: ResponseBody,
  flags: number,
  rcode: number,
  extendedErrors: readonly ExtendedError[],
): Uint8Array<ArrayBuffer> {
  const message: DnsMessage = {
    id: frame.id,
    type: 'response',
    flags,
    questions: frame.question ? [frame.question] : [],
    answers: [...(body.answers ?? [])],
    authorities: [...(body.authorities ?? [])],
    additionals: [...(body.additionals ?? [])],
  };
  if (frame.edns === null) return encodeMessage(message);
  const opt = optRecord({
    dnssecOk: frame.edns.dnssecOk,
    extendedRcode: rcode >> HEADER_RCODE_BITS,
    options: extendedErrors.map(extendedErrorOption),
  });
  message.additionals = [...(message.additionals ?? []), opt];
  return frame.edns.padded ? encodePadded(message, opt) : encodeMessage(message);
}
