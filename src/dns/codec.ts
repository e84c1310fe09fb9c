/**
 * The one module that imports `dns-packet`. Everything else in the project
 * speaks `Uint8Array` and the types re-exported here, so the library (and its
 * Buffer dependency) stays behind this boundary.
 *
 * dns-packet does not bound-check everything it reads (RDATA decoders ignore
 * RDLENGTH, trailing bytes are ignored, label contents are not checked), so
 * `decodeMessage` walks the wire format itself first (`walkMessage`) and then
 * decodes every resource record against a view that ends where its RDATA ends,
 * insisting that dns-packet consumed exactly RDLENGTH.
 *
 * @see https://github.com/mafintosh/dns-packet
 */
import { Buffer } from 'node:buffer';
import * as dnsPacket from 'dns-packet';
import { MalformedMessageError } from './malformed-message-error';
import { rcodeNumber } from './rcodes';
import { type Section, walkMessage } from './walk-message';

export { type MalformedKind, MalformedMessageError } from './malformed-message-error';

export type DnsMessage = dnsPacket.Packet;
export type DnsQuestion = dnsPacket.Question;
export type DnsRecord = dnsPacket.Answer;
export type DnsOptRecord = dnsPacket.OptAnswer;
/** One EDNS option as dns-packet represents it (`code`, optional raw `data`). */
export type DnsOption = dnsPacket.PacketOpt;
/** A record type name as dns-packet spells it ('A', 'UNKNOWN_65', ...). */
export type RecordTypeName = DnsQuestion['type'];
/** A class name as dns-packet spells it. */
export type RecordClassName = NonNullable<DnsQuestion['class']>;

/** Header flag bits, re-exported so no other module needs dns-packet (RFC 1035 §4.1.1, RFC 4035 §3.2). */
export const FLAGS = {
  AUTHORITATIVE_ANSWER: dnsPacket.AUTHORITATIVE_ANSWER,
  TRUNCATED_RESPONSE: dnsPacket.TRUNCATED_RESPONSE,
  RECURSION_DESIRED: dnsPacket.RECURSION_DESIRED,
  RECURSION_AVAILABLE: dnsPacket.RECURSION_AVAILABLE,
  AUTHENTIC_DATA: dnsPacket.AUTHENTIC_DATA,
  CHECKING_DISABLED: dnsPacket.CHECKING_DISABLED,
} as const;
/** The DO bit in the OPT record's flags (RFC 3225 §3). */
export const DNSSEC_OK_FLAG: number = dnsPacket.DNSSEC_OK;

type Decoder<T> = ((buf: Buffer, offset?: number) => T) & { bytes: number };
type Encoder<T> = ((value: T, buf?: Buffer, offset?: number) => Buffer) & { bytes: number };

/** The parts of dns-packet that @types/dns-packet does not declare but that exist at runtime. */
interface DnsPacketInternals {
  readonly answer: { readonly decode: Decoder<DnsRecord> };
  readonly question: {
    readonly decode: Decoder<DnsQuestion>;
    readonly encode: Encoder<DnsQuestion>;
  };
}
const internals = dnsPacket as unknown as DnsPacketInternals;

/**
 * Decodes a DNS message; throws MalformedMessageError on anything malformed
 * (`kind` says whether the message could be delimited at all).
 */
export function decodeMessage(bytes: Uint8Array): DnsMessage {
  const layout = walkMessage(bytes);
  const buf = toBuffer(bytes);
  let message: dnsPacket.DecodedPacket;
  try {
    message = dnsPacket.decode(buf);
  } catch (error) {
    throw new MalformedMessageError(errorText(error));
  }
  const sections: Record<Section, DnsRecord[]> = { answer: [], authority: [], additional: [] };
  for (const record of layout.records) {
    const expected = record.end - record.start;
    let decoded: DnsRecord;
    try {
      // A view that ends with this record's RDATA: any read past it throws
      // instead of silently taking bytes from the next record.
      decoded = internals.answer.decode(buf.subarray(0, record.end), record.start);
    } catch (error) {
      throw new MalformedMessageError(`record at ${record.start}: ${errorText(error)}`);
    }
    if (internals.answer.decode.bytes !== expected) {
      throw new MalformedMessageError(`record at ${record.start}: RDATA does not match RDLENGTH`);
    }
    sections[record.section].push(decoded);
  }
  message.answers = sections.answer;
  message.authorities = sections.authority;
  message.additionals = sections.additional;
  return message;
}

/**
 * Encodes a DNS message to wire format. Binary fields (TXT strings, keys,
 * digests, raw RDATA, option data) may be plain Uint8Arrays, as they are after
 * a structured clone out of a cache or Durable Object; dns-packet insists on
 * Buffers, so they are converted here, at the boundary.
 */
export function encodeMessage(message: DnsMessage): Uint8Array<ArrayBuffer> {
  const withBuffers: DnsMessage = {
    ...message,
    answers: message.answers?.map(recordWithBuffers),
    authorities: message.authorities?.map(recordWithBuffers),
    additionals: message.additionals?.map(recordWithBuffers),
  };
  return new Uint8Array(dnsPacket.encode(withBuffers));
}

function recordWithBuffers(record: DnsRecord): DnsRecord {
  if (record.type === 'OPT') {
    return { ...record, options: (record.options ?? []).map((o) => withBuffers(o) as DnsOption) };
  }
  return { ...record, data: withBuffers(record.data) } as DnsRecord;
}

/** Buffers for Uint8Arrays, in the value itself, its array items or its fields (one level, as RDATA objects are flat). */
function withBuffers(value: unknown, depth = 0): unknown {
  if (value instanceof Uint8Array) return Buffer.isBuffer(value) ? value : toBuffer(value);
  if (depth > 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => withBuffers(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, withBuffers(field, depth + 1)]),
  );
}

/**
 * The RCODE in a message's header (4 bits). Decoded messages carry it in
 * `flags`; messages built in code may only name it.
 */
export function headerRcode(message: DnsMessage): number {
  if (message.flags !== undefined) return message.flags & 0xf;
  const named: unknown = (message as { rcode?: unknown }).rcode;
  return typeof named === 'string' ? (rcodeNumber(named) ?? 0) & 0xf : 0;
}

/**
 * The type name dns-packet uses for a type number ('A', 'UNKNOWN_65').
 * dns-packet does not export its tables, so they are read through its own
 * question codec: the names are then exactly the ones `decodeMessage` yields.
 */
export function typeName(type: number): RecordTypeName {
  const wire = Buffer.from([0, type >> 8, type & 0xff, 0, 1]);
  return internals.question.decode(wire, 0).type;
}

/** The type number of a dns-packet type name, or null if dns-packet cannot encode it. */
export function typeNumber(name: string): number | null {
  const number = encodeQuestionField({ name: '.', type: name as RecordTypeName, class: 'IN' }, 1);
  // dns-packet encodes names it does not know as 0; accept a result only if it
  // maps back to the same name, so 'HTTPS' (unknown to dns-packet) is refused here.
  return number !== null && typeName(number) === name.toUpperCase() ? number : null;
}

/** The class name dns-packet uses for a class number ('IN', 'UNKNOWN_254'). */
export function className(qclass: number): string {
  const wire = Buffer.from([0, 0, 1, qclass >> 8, qclass & 0xff]);
  return internals.question.decode(wire, 0).class ?? 'IN';
}

/** The class number of a class name, or null if dns-packet cannot encode it. */
export function classNumber(name: string): number | null {
  const number = encodeQuestionField({ name: '.', type: 'A', class: name as RecordClassName }, 3);
  return number !== null && number !== 0 && className(number) === name.toUpperCase()
    ? number
    : null;
}

function encodeQuestionField(question: DnsQuestion, offset: number): number | null {
  try {
    const buf = Buffer.alloc(5);
    internals.question.encode(question, buf, 0);
    return buf.readUInt16BE(offset);
  } catch {
    return null;
  }
}

/**
 * A question from names as dns-packet spells them. @types/dns-packet lists
 * fewer type names than dns-packet encodes ('UNKNOWN_65', 'ANY'), hence the
 * one cast here.
 */
export function makeQuestion(name: string, type: string, qclass: string): DnsQuestion {
  return { name, type: type as RecordTypeName, class: qclass as RecordClassName };
}

/** Builds an EDNS option with raw data (RFC 6891 §6.1.2). */
export function makeOption(code: number, data: Uint8Array): DnsOption {
  // dns-packet's option union only names codes it understands; raw data with
  // any code is what its encoder supports for every option.
  return { code, data: Buffer.from(data) } as unknown as DnsOption;
}

/** The numeric code and raw data of an EDNS option as decoded by dns-packet. */
export function optionParts(option: DnsOption): { code: number; data: Uint8Array } {
  const code = Number(option.code);
  const data = option.data ? new Uint8Array(option.data) : new Uint8Array(0);
  return { code, data };
}

/** The OPT records of a message, in all sections (RFC 6891 §6.1.1). */
export function optRecords(message: DnsMessage): DnsOptRecord[] {
  const all = [
    ...(message.answers ?? []),
    ...(message.authorities ?? []),
    ...(message.additionals ?? []),
  ];
  return all.filter((record): record is DnsOptRecord => record.type === 'OPT');
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
