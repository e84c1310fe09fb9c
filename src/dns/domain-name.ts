/**
 * Validation of names typed by people (the JSON API's `name` parameter).
 * dns-packet encodes whatever string it is given, so the limits are checked
 * here before anything is encoded.
 *
 * @see https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4
 */
import { MAX_LABEL_LENGTH, MAX_NAME_LENGTH } from './walk-message';

export type NameCheck = { ok: true; name: string } | { ok: false; error: string };

/**
 * Characters that end or split a host in a URL (WHATWG "forbidden host code
 * points") or that have escape meaning in DNS presentation format. Refused
 * before an IDN is handed to the URL parser, which would otherwise read
 * "a:80" as a host and a port.
 */
const UNSAFE_CHARACTERS = /[\s\\/:?#@[\]%<>^|"]/;
/** Printable ASCII (RFC 20) except space, backslash and double quote. */
const ASCII_NAME = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/**
 * Normalizes a name to lower case, punycode (for IDNs, RFC 5891 via the
 * WHATWG URL parser that workerd ships) and no trailing dot; the root is '.'.
 * Refuses empty labels, labels over 63 octets and names over 255 octets.
 */
export function normalizeName(input: string): NameCheck {
  if (input === '') return { ok: false, error: 'name is empty' };
  if (input === '.') return { ok: true, name: '.' };
  const relative = input.endsWith('.') ? input.slice(0, -1) : input;
  const ascii = ASCII_NAME.test(relative) ? relative.toLowerCase() : toPunycode(relative);
  if (ascii === null)
    return { ok: false, error: `name ${JSON.stringify(input)} is not a valid domain name` };

  const labels = ascii.split('.');
  let wireLength = 1; // the root label
  for (const label of labels) {
    if (label.length === 0) return { ok: false, error: 'name has an empty label' };
    if (label.length > MAX_LABEL_LENGTH) {
      return { ok: false, error: `label longer than ${MAX_LABEL_LENGTH} octets` };
    }
    wireLength += label.length + 1;
  }
  if (wireLength > MAX_NAME_LENGTH) {
    return { ok: false, error: `name longer than ${MAX_NAME_LENGTH} octets` };
  }
  return { ok: true, name: ascii };
}

/**
 * Converts a name with non-ASCII characters to its ASCII (punycode) form.
 * Returns null when the URL parser refuses it or the result is not plain ASCII.
 */
function toPunycode(name: string): string | null {
  if (UNSAFE_CHARACTERS.test(name)) return null;
  let hostname: string;
  try {
    hostname = new URL(`http://${name}/`).hostname;
  } catch {
    return null;
  }
  // An IPv6 literal or anything the parser did not turn into plain ASCII
  // labels is not a name we can query.
  return ASCII_NAME.test(hostname) && !hostname.startsWith('[') ? hostname : null;
}
