/**
 * Our own OPT record for responses, and block-length padding. An upstream's
 * OPT describes the upstream hop, never the client's, so it is never copied.
 *
 * @see https://www.rfc-editor.org/rfc/rfc6891#section-6.1.2
 * @see https://www.rfc-editor.org/rfc/rfc8467#section-4.1
 */
import {
  DNSSEC_OK_FLAG,
  type DnsMessage,
  type DnsOption,
  type DnsOptRecord,
  encodeMessage,
  makeOption,
} from './codec';

/**
 * The UDP payload size we advertise: 1232 is the DNS Flag Day 2020 value that
 * avoids IP fragmentation on common paths. Over HTTPS it is informational, but
 * clients that forward our answer over UDP rely on a sane value.
 */
export const UDP_PAYLOAD_SIZE = 1232;
/** The smallest meaningful UDP payload size; smaller values mean 512 (RFC 6891 §6.2.5). */
export const MIN_UDP_PAYLOAD_SIZE = 512;
/** RFC 8467 §4.1: servers pad responses to a multiple of 468 octets. */
export const RESPONSE_PADDING_BLOCK = 468;
/** EDNS option code of Padding (RFC 7830 §3). */
export const PADDING_OPTION_CODE = 12;
/** EDNS option code of Client Subnet (RFC 7871 §6). */
export const CLIENT_SUBNET_OPTION_CODE = 8;
/** The largest DNS message: its length must fit the 16-bit TCP length prefix (RFC 1035 §4.2.2). */
export const MAX_MESSAGE_LENGTH = 65535;
/** Option code and option length fields that precede option data (RFC 6891 §6.1.2). */
const OPTION_HEADER_LENGTH = 4;

/** Builds an OPT record of EDNS version 0. `extendedRcode` holds RCODE bits 4-11. */
export function optRecord(params: {
  dnssecOk: boolean;
  extendedRcode?: number;
  options?: DnsOption[];
}): DnsOptRecord {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: UDP_PAYLOAD_SIZE,
    extendedRcode: params.extendedRcode ?? 0,
    ednsVersion: 0,
    flags: params.dnssecOk ? DNSSEC_OK_FLAG : 0,
    flag_do: params.dnssecOk,
    options: params.options ?? [],
  };
}

/**
 * Encodes a message whose last additional record is `opt`, adding a Padding
 * option so the whole message is a multiple of 468 octets. A message too large
 * to pad within 65535 octets is sent unpadded rather than not at all.
 */
export function encodePadded(message: DnsMessage, opt: DnsOptRecord): Uint8Array<ArrayBuffer> {
  const unpadded = encodeMessage(message);
  const length = unpadded.length + OPTION_HEADER_LENGTH;
  const padding =
    (RESPONSE_PADDING_BLOCK - (length % RESPONSE_PADDING_BLOCK)) % RESPONSE_PADDING_BLOCK;
  if (length + padding > MAX_MESSAGE_LENGTH) return unpadded;
  // RFC 7830 §3: the padding octets SHOULD be 0x00.
  opt.options = [...opt.options, makeOption(PADDING_OPTION_CODE, new Uint8Array(padding))];
  return encodeMessage(message);
}
