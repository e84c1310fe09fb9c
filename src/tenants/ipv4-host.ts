/**
 * IPv4 hosts as the WHATWG URL host parser reads them, and `inet_aton` before
 * it: `0x7f.1`, `2130706433` and `0177.0.0.1` are all 127.0.0.1. A tenant's
 * upstream host is judged by the address a socket will really reach, so it is
 * read the permissive way here; DNS data uses the strict dotted quad of
 * src/dns/ip-address.ts instead.
 *
 * @see https://url.spec.whatwg.org/#concept-ipv4-parser
 */

/** WHATWG "ends in a number": the last label is all digits or `0x` hex, so the host is an address. */
export function endsInNumber(host: string): boolean {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  const last = parts.at(-1) ?? '';
  return /^[0-9]+$/.test(last) || parseIpv4Number(last) !== null;
}

/**
 * The 32-bit address of an IPv4 host: 1 to 4 parts, the last filling the
 * remaining bytes (`127.1` is 127.0.0.1). Null when invalid.
 */
export function parseIpv4Host(host: string): number | null {
  const parts = host.split('.');
  if (parts.at(-1) === '' && parts.length > 1) parts.pop();
  if (parts.length > 4) return null;
  const numbers: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Number(part);
    if (value === null) return null;
    numbers.push(value);
  }
  const last = numbers.pop() ?? 0;
  if (numbers.some((value) => value > 255)) return null;
  if (last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum, value, index) => sum + value * 256 ** (3 - index), last);
}

/** The dotted quad of a 32-bit address, e.g. `127.0.0.1`. */
export function formatIpv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 0xff).join('.');
}

/** One part of an IPv4 host: decimal, `0x` hex or leading-zero octal; null when not a number. */
function parseIpv4Number(part: string): number | null {
  if (part === '') return null;
  let digits = part;
  let pattern = /^[0-9]*$/;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    pattern = /^[0-9a-f]*$/i;
    radix = 16;
  } else if (part.length > 1 && part.startsWith('0')) {
    digits = part.slice(1);
    pattern = /^[0-7]*$/;
    radix = 8;
  }
  if (!pattern.test(digits)) return null;
  return digits === '' ? 0 : Number.parseInt(digits, radix);
}
