/**
 * RCODE names and numbers, including the extended RCODEs that only exist with
 * EDNS (upper 8 bits in the OPT record, RFC 6891 §6.1.3). dns-packet only knows
 * the 4-bit header values, hence this small table.
 *
 * @see https://www.iana.org/assignments/dns-parameters/dns-parameters.xhtml#dns-parameters-6
 */
const byName: Readonly<Record<string, number>> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  YXDOMAIN: 6,
  YXRRSET: 7,
  NXRRSET: 8,
  NOTAUTH: 9,
  NOTZONE: 10,
  /** RFC 6891 §9: the responder does not implement the query's EDNS version. */
  BADVERS: 16,
  /** RFC 7873 §8: bad or missing server cookie. */
  BADCOOKIE: 23,
};

const byNumber = new Map(Object.entries(byName).map(([name, code]) => [code, name]));

/** Largest RCODE: 8 extended bits above the 4 header bits (RFC 6891 §6.1.3). */
export const MAX_RCODE = 0xfff;

/** The number of an RCODE name (case-insensitive), or null if unknown. */
export function rcodeNumber(name: string): number | null {
  const upper = name.toUpperCase();
  const known = byName[upper];
  if (known !== undefined) return known;
  // dns-packet names unnamed 4-bit codes RCODE_11 ... RCODE_15.
  const match = /^RCODE_(\d{1,4})$/.exec(upper);
  const code = match?.[1] === undefined ? Number.NaN : Number(match[1]);
  return Number.isInteger(code) && code <= MAX_RCODE ? code : null;
}

/** The name of an RCODE number; unnamed codes are spelled RCODE_n as dns-packet does. */
export function rcodeName(code: number): string {
  return byNumber.get(code) ?? `RCODE_${code}`;
}
