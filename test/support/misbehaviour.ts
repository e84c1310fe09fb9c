/**
 * Query names that make the misbehaving loopback servers misbehave, one name
 * per way an upstream can go wrong. Shared by the Node servers and the tests
 * in workerd, so a test says `Misbehaviour.wrongId` instead of a magic string.
 * Any other name is answered from the test zone.
 */
export const Misbehaviour = {
  /** Closes the connection without sending a byte. */
  closeBeforeAnswer: 'close-before-answer.bad.test',
  /** Sends the length prefix (or HTTP headers) and half the message, then closes. */
  closeMidMessage: 'close-mid-message.bad.test',
  /** Answers with a different message ID. */
  wrongId: 'wrong-id.bad.test',
  /** Answers a different question. */
  wrongQuestion: 'wrong-question.bad.test',
  /** Sends the message back with QR=0. */
  notAResponse: 'not-a-response.bad.test',
  /** Answers with opcode STATUS instead of QUERY. */
  wrongOpcode: 'wrong-opcode.bad.test',
  /** Answers with TC=1 and no records. */
  truncated: 'truncated.bad.test',
  /** Answers with bytes that are not a DNS message. */
  garbage: 'garbage.bad.test',
  /** Answers correctly, but one byte per write: the client must reassemble. */
  oneByteWrites: 'one-byte-writes.bad.test',
  /** Never answers and keeps the connection open. */
  neverAnswers: 'never-answers.bad.test',
  /** HTTP only: 500 Internal Server Error. */
  http500: 'http-500.bad.test',
  /** HTTP only: 200 with `text/html`. */
  wrongContentType: 'wrong-content-type.bad.test',
  /** HTTP only: 200 with a body larger than any DNS message (65535 bytes). */
  oversizedBody: 'oversized-body.bad.test',
  /** HTTP only: 307 Temporary Redirect (method and body kept) to the redirect target. */
  redirect307: 'redirect-307.bad.test',
  /** HTTP only: 308 Permanent Redirect (method and body kept) to the redirect target. */
  redirect308: 'redirect-308.bad.test',
} as const;

/** The A record the misbehaving servers put in answers that are otherwise correct. */
export const MISBEHAVIOUR_ADDRESS = '192.0.2.53';
export const MISBEHAVIOUR_TTL = 300;
