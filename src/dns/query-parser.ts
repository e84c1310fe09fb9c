/**
 * Strict validation of a wire-format query from a DoH client (docs/architecture.md §6, §7).
 * Bad input never reaches an upstream: it is either not a DNS message (an HTTP
 * error) or answered here with a DNS error that echoes the client's ID.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8484#section-4.1
 */
import {
  classNumber,
  type DnsMessage,
  type DnsOptRecord,
  decodeMessage,
  MalformedMessageError,
  makeQuestion,
  optionParts,
  optRecords,
  typeNumber,
} from './codec';
import type { DnsQuery } from './dns-query';
import { MAX_MESSAGE_LENGTH, MIN_UDP_PAYLOAD_SIZE, PADDING_OPTION_CODE } from './edns';
import { encodeResponse, type ResponseFrame } from './encode-response';
import { EDE, type ExtendedError } from './extended-errors';
import { localAnswer } from './local-answer';
import { buildClientResponse } from './responses';
import { buildUpstreamQuery } from './upstream-query';
import { HEADER_LENGTH } from './walk-message';

export type { ClientEdns, DnsQuery } from './dns-query';

export type QueryParseResult =
  | { kind: 'query'; query: DnsQuery }
  /** Not a DNS message at all: answered with an HTTP error. */
  | { kind: 'reject'; status: 400 | 413; reason: string }
  /** Answered here with HTTP 200, echoing the client's ID. */
  | { kind: 'local'; response: Uint8Array<ArrayBuffer>; rcode: string; reason: string };

const QR_BIT = 0x8000;
const OPCODE_SHIFT = 11;
const OPCODE_MASK = 0xf;
const RD_BIT = 0x0100;
const CD_BIT = 0x0010;
/** DO bit in the OPT TTL field's flags (RFC 3225 §3). */
const DO_BIT = 0x8000;

/** RCODEs answered locally (RFC 1035 §4.1.1, RFC 6891 §9). */
const RCODE = { FORMERR: 1, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;
type LocalRcode = keyof typeof RCODE;

/**
 * Question types that make no sense to forward. OPT (RFC 6891 §6.1.1) and type
 * 0 (reserved, RFC 6895 §3.1) are not questions at all: FORMERR. Zone
 * transfers, the obsolete MAILA/MAILB, and TKEY/TSIG (which negotiate with a
 * server, not a zone) are well-formed but not something a forwarder does:
 * NOTIMP.
 */
const FORMERR_QTYPES = new Set([0, 41]);
const NOTIMP_QTYPES = new Set([249, 250, 251, 252, 253, 254]);

/**
 * Parses and validates a wire-format query. Never throws.
 *
 * The one rule for HTTP errors versus DNS errors: bytes whose fields cannot be
 * delimited (shorter than the 12-byte header, a read past the end, a bad
 * compression pointer, a 64-octet label, RDATA not matching RDLENGTH, trailing
 * bytes) are not a DNS message and get HTTP 400; more than 65535 bytes get 413.
 * A message that can be delimited but breaks a rule is answered with a DNS
 * error that echoes its ID:
 * - QR=1, QDCOUNT != 1, a bad name (over 255 octets, '.' or invalid UTF-8 in a
 *   label), more than one OPT or an OPT outside the additional section or not
 *   owned by the root, QTYPE 0 or OPT: FORMERR (RFC 1035 §4.1.1, RFC 6891 §6.1.1).
 * - OPCODE other than QUERY, zone transfers, MAILA/MAILB, TKEY/TSIG: NOTIMP.
 * - EDNS version above 0: BADVERS, i.e. OPT extended RCODE 1 and header RCODE 0
 *   (RFC 6891 §6.1.3).
 * - A class dns-packet cannot encode: REFUSED.
 * - QTYPE ANY: the minimal RFC 8482 answer.
 *
 * Records in the answer and authority sections of a query have no meaning for
 * QUERY (RFC 1035 §4.1) and are ignored, as are additional records other than
 * OPT (a TSIG we could not verify anyway): none of them is forwarded.
 */
export function parseWireQuery(bytes: Uint8Array): QueryParseResult {
  if (bytes.length > MAX_MESSAGE_LENGTH) {
    return {
      kind: 'reject',
      status: 413,
      reason: `message longer than ${MAX_MESSAGE_LENGTH} bytes`,
    };
  }
  if (bytes.length < HEADER_LENGTH) {
    return { kind: 'reject', status: 400, reason: 'message shorter than the 12-byte DNS header' };
  }
  try {
    return parseDecodable(bytes);
  } catch (error) {
    // Defence in depth: every known failure is handled above; an unknown one
    // still must not crash the worker.
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'reject', status: 400, reason: `undecodable message: ${reason}` };
  }
}

function parseDecodable(bytes: Uint8Array): QueryParseResult {
  const id = ((bytes[0] ?? 0) << 8) | (bytes[1] ?? 0);
  const flags = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
  const bare: ResponseFrame = {
    id,
    opcode: (flags >> OPCODE_SHIFT) & OPCODE_MASK,
    recursionDesired: (flags & RD_BIT) !== 0,
    checkingDisabled: (flags & CD_BIT) !== 0,
    question: null,
    edns: null,
  };

  let message: DnsMessage;
  try {
    message = decodeMessage(bytes);
  } catch (error) {
    if (error instanceof MalformedMessageError && error.kind === 'name') {
      return local(bare, 'FORMERR', `bad name: ${error.message}`);
    }
    const reason = error instanceof Error ? error.message : String(error);
    return { kind: 'reject', status: 400, reason: `undecodable message: ${reason}` };
  }

  if ((flags & QR_BIT) !== 0) return local(bare, 'FORMERR', 'QR bit set in a query');
  if (bare.opcode !== 0) return local(bare, 'NOTIMP', `opcode ${bare.opcode} is not supported`);

  const opts = optRecords(message);
  const additionalOpts = (message.additionals ?? []).filter((record) => record.type === 'OPT');
  if (opts.length > 1) return local(bare, 'FORMERR', 'more than one OPT record');
  const opt: DnsOptRecord | undefined = opts[0];
  if (opt !== undefined && additionalOpts.length !== 1) {
    return local(bare, 'FORMERR', 'OPT record outside the additional section');
  }
  if (opt !== undefined && opt.name !== '.') {
    return local(bare, 'FORMERR', 'OPT record not owned by the root');
  }
  const dnssecOk = opt !== undefined && ((opt.flags ?? 0) & DO_BIT) !== 0;
  const padded =
    opt?.options?.some((option) => optionParts(option).code === PADDING_OPTION_CODE) ?? false;
  const framed: ResponseFrame = { ...bare, edns: opt ? { dnssecOk, padded } : null };

  if (opt !== undefined && (opt.ednsVersion ?? 0) > 0) {
    return local(framed, 'BADVERS', `EDNS version ${opt.ednsVersion} is not supported`);
  }
  const questions = message.questions ?? [];
  const question = questions[0];
  if (questions.length !== 1 || question === undefined) {
    return local(framed, 'FORMERR', `QDCOUNT is ${questions.length}, not 1`);
  }

  const type = question.type;
  const qclass = question.class ?? 'IN';
  const withQuestion: ResponseFrame = {
    ...framed,
    question: makeQuestion(question.name, type, qclass),
  };
  const typeCode = typeNumber(type) ?? -1;
  if (FORMERR_QTYPES.has(typeCode)) return local(withQuestion, 'FORMERR', `QTYPE ${type}`);
  if (NOTIMP_QTYPES.has(typeCode)) return local(withQuestion, 'NOTIMP', `QTYPE ${type}`);
  if (classNumber(qclass) === null) {
    return local(withQuestion, 'REFUSED', `QCLASS ${qclass} cannot be forwarded`);
  }

  const name = lowerCaseAscii(question.name);
  const query: DnsQuery = {
    id,
    name,
    type,
    qclass,
    recursionDesired: bare.recursionDesired,
    checkingDisabled: bare.checkingDisabled,
    dnssecOk,
    edns: opt
      ? { udpPayloadSize: Math.max(MIN_UDP_PAYLOAD_SIZE, opt.udpPayloadSize ?? 0), padded }
      : null,
    upstreamQuery: buildUpstreamQuery({
      name,
      type,
      qclass,
      checkingDisabled: bare.checkingDisabled,
      dnssecOk,
    }),
    questionName: question.name,
  };
  const answer = localAnswer(query);
  if (answer !== null) {
    return {
      kind: 'local',
      response: buildClientResponse(query, answer),
      rcode: 'NOERROR',
      reason: `QTYPE ${type} answered locally (RFC 8482)`,
    };
  }
  return { kind: 'query', query };
}

function local(frame: ResponseFrame, rcode: LocalRcode, reason: string): QueryParseResult {
  const errors: ExtendedError[] =
    rcode === 'NOTIMP'
      ? [{ code: EDE.NotSupported, text: reason }]
      : [{ code: EDE.OtherError, text: reason }];
  return {
    kind: 'local',
    response: encodeResponse(frame, { rcode: RCODE[rcode] }, errors),
    rcode,
    reason,
  };
}

/** RFC 4343 §3: DNS names compare case-insensitively in ASCII only. */
export function lowerCaseAscii(name: string): string {
  return name.replace(/[A-Z]+/g, (upper) => upper.toLowerCase());
}
