/**
 * Extended DNS Errors: an EDNS option that tells a client why an answer is
 * what it is (stale, unreachable upstreams, ...). Option code 15; its data is
 * a 16-bit INFO-CODE followed by optional UTF-8 EXTRA-TEXT.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8914
 */
import { type DnsMessage, type DnsOption, makeOption, optionParts, optRecords } from './codec';

/** One Extended DNS Error (RFC 8914 §2). */
export interface ExtendedError {
  code: number;
  text?: string;
}

/** EDNS option code of Extended DNS Errors (RFC 8914 §2). */
export const EDE_OPTION_CODE = 15;

/** The INFO-CODEs this resolver sends or is likely to forward (RFC 8914 §4). */
export const EDE = {
  OtherError: 0,
  UnsupportedDnskeyAlgorithm: 1,
  UnsupportedDsDigestType: 2,
  StaleAnswer: 3,
  ForgedAnswer: 4,
  DnssecIndeterminate: 5,
  DnssecBogus: 6,
  SignatureExpired: 7,
  SignatureNotYetValid: 8,
  DnskeyMissing: 9,
  RrsigsMissing: 10,
  NoZoneKeyBitSet: 11,
  NsecMissing: 12,
  CachedError: 13,
  NotReady: 14,
  Blocked: 15,
  Censored: 16,
  Filtered: 17,
  Prohibited: 18,
  StaleNxdomainAnswer: 19,
  NotAuthoritative: 20,
  NotSupported: 21,
  NoReachableAuthority: 22,
  NetworkError: 23,
  InvalidData: 24,
} as const;

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Encodes one Extended DNS Error as an EDNS option. */
export function extendedErrorOption(error: ExtendedError): DnsOption {
  const text = utf8.encode(error.text ?? '');
  const data = new Uint8Array(2 + text.length);
  data[0] = (error.code >> 8) & 0xff;
  data[1] = error.code & 0xff;
  data.set(text, 2);
  return makeOption(EDE_OPTION_CODE, data);
}

/**
 * Reads the Extended DNS Errors out of a message's OPT record. Options shorter
 * than the 2-byte INFO-CODE are ignored, as RFC 8914 §2 leaves no other reading.
 */
export function readExtendedErrors(message: DnsMessage): ExtendedError[] {
  const errors: ExtendedError[] = [];
  for (const opt of optRecords(message)) {
    for (const option of opt.options ?? []) {
      const { code, data } = optionParts(option);
      if (code !== EDE_OPTION_CODE || data.length < 2) continue;
      const info = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
      const text = utf8Decoder.decode(data.subarray(2));
      errors.push(text.length > 0 ? { code: info, text } : { code: info });
    }
  }
  return errors;
}
