/**
 * How a message failed to decode, which decides how a client is answered
 * (see `parseWireQuery`):
 * - `framing`: the fields of the message cannot be delimited (a read past the
 *   end, a bad compression pointer, a reserved label type, RDATA that does not
 *   match RDLENGTH, trailing bytes). Such bytes are not a DNS message at all.
 * - `name`: every field is delimited, but a name breaks a rule (longer than 255
 *   octets, a label with a '.' inside or invalid UTF-8). The header is sound, so
 *   a server can still answer FORMERR with the client's ID.
 */
export type MalformedKind = 'framing' | 'name';

/** Thrown when bytes are not a well-formed DNS message. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
  constructor(
    message: string,
    readonly kind: MalformedKind = 'framing',
  ) {
    super(message);
  }
}
