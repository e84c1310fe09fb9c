/**
 * The one module that imports `dns-packet`. Everything else in the project
 * speaks `Uint8Array` and the types re-exported here, so the library (and its
 * Buffer dependency) stays behind this boundary.
 *
 * dns-packet does not bound-check everything it reads (RDATA decoders ignore
 * RDLENGTH, trailing bytes are ignored), so `decodeMessage` walks the wire
 * format itself first and only hands a structurally sound message over.
 */
import { Buffer } from 'node:buffer';
import * as dnsPacket from 'dns-packet';

export type DnsMessage = dnsPacket.Packet;
export type DnsQuestion = dnsPacket.Question;
export type DnsRecord = dnsPacket.Answer;

/** Thrown when bytes are not a well-formed DNS message. */
export class MalformedMessageError extends Error {
  override readonly name = 'MalformedMessageError';
}

/** Decodes a DNS message; throws MalformedMessageError on anything malformed. */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  try {
    return dnsPacket.decode(toBuffer(bytes));
  } catch (error) {
    throw new MalformedMessageError(error instanceof Error ? error.message : String(error));
  }
}

/** Encodes a DNS message to wire format. */
export function encodeMessage(message: DnsMessage): Uint8Array {
  return new Uint8Array(dnsPacket.encode(message));
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
