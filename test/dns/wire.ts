/**
 * Hand-assembled wire bytes for tests: malformed messages cannot be produced
 * by an encoder, so they are built field by field here.
 */
import { type DnsMessage, decodeMessage, encodeMessage } from '../../src/dns/codec';

export interface HeaderFields {
  id?: number;
  flags?: number;
  qd?: number;
  an?: number;
  ns?: number;
  ar?: number;
}

export function u16(value: number): number[] {
  return [(value >> 8) & 0xff, value & 0xff];
}

export function u32(value: number): number[] {
  return [...u16(Math.floor(value / 0x10000)), ...u16(value & 0xffff)];
}

export function header(fields: HeaderFields = {}): number[] {
  return [
    ...u16(fields.id ?? 0x1234),
    ...u16(fields.flags ?? 0x0100),
    ...u16(fields.qd ?? 1),
    ...u16(fields.an ?? 0),
    ...u16(fields.ns ?? 0),
    ...u16(fields.ar ?? 0),
  ];
}

/** An uncompressed name from ASCII labels. */
export function name(...labels: string[]): number[] {
  const out: number[] = [];
  for (const label of labels) {
    out.push(label.length, ...Array.from(label, (c) => c.charCodeAt(0)));
  }
  out.push(0);
  return out;
}

export function pointer(offset: number): number[] {
  return [0xc0 | (offset >> 8), offset & 0xff];
}

export function question(owner: number[], type = 1, qclass = 1): number[] {
  return [...owner, ...u16(type), ...u16(qclass)];
}

export function rr(
  owner: number[],
  type: number,
  rdata: number[],
  options: { qclass?: number; ttl?: number; rdlength?: number } = {},
): number[] {
  return [
    ...owner,
    ...u16(type),
    ...u16(options.qclass ?? 1),
    ...u32(options.ttl ?? 300),
    ...u16(options.rdlength ?? rdata.length),
    ...rdata,
  ];
}

export function opt(
  fields: {
    udp?: number;
    extendedRcode?: number;
    version?: number;
    flags?: number;
    options?: Array<[number, number[]]>;
  } = {},
): number[] {
  const rdata = (fields.options ?? []).flatMap(([code, data]) => [
    ...u16(code),
    ...u16(data.length),
    ...data,
  ]);
  return [
    0,
    ...u16(41),
    ...u16(fields.udp ?? 1232),
    fields.extendedRcode ?? 0,
    fields.version ?? 0,
    ...u16(fields.flags ?? 0),
    ...u16(rdata.length),
    ...rdata,
  ];
}

export function bytes(...parts: number[][]): Uint8Array {
  return new Uint8Array(parts.flat());
}

/** A well-formed query for `a.test A` with ID 0x1234 and an OPT record. */
export function validQuery(): Uint8Array {
  return bytes(header({ ar: 1 }), question(name('a', 'test')), opt());
}

export function roundTrip(message: DnsMessage): DnsMessage {
  return decodeMessage(encodeMessage(message));
}

export function idOf(message: Uint8Array): number {
  return ((message[0] ?? 0) << 8) | (message[1] ?? 0);
}

export { seededRandom } from '../support/seeded-random';
