/**
 * Short-lived signed links to trace pages, so `/view` opens in a browser,
 * which cannot send a bearer header. A link is an HMAC-SHA256 (keyed with
 * ADMIN_TOKEN) over one exact path and an expiry; it is handed out only in
 * answers to callers who already proved a token for that trace, authorizes
 * nothing but a GET of that path, and stops working when it expires or when
 * ADMIN_TOKEN changes. A token in the query string would instead end up in
 * browser history and server logs for as long as the token lives.
 */

/**
 * Links expire at the end of the five-minute window after the current one:
 * valid 5 to 10 minutes, and the same link for every request in a window,
 * so a trace's JSON is stable while a user looks at it.
 */
export const LINK_WINDOW_SECONDS = 300;

/** Separates these signatures from any other use of the same key. */
const PURPOSE = 'edge-resolver trace view link';

/** Turns a path into `path?expires=…&sig=…`, valid 5 to 10 minutes from `nowMs`. */
export type PathSigner = (path: string) => Promise<string>;

/** One imported key for many links (a trace listing signs up to 200). */
export async function pathSigner(secret: string, nowMs: number): Promise<PathSigner> {
  const key = await hmacKey(secret);
  const window = Math.floor(nowMs / 1000 / LINK_WINDOW_SECONDS);
  const expires = (window + 2) * LINK_WINDOW_SECONDS;
  return async (path) => {
    const mac = await crypto.subtle.sign('HMAC', key, message(path, expires));
    return `${path}?expires=${expires}&sig=${toHex(new Uint8Array(mac))}`;
  };
}

/** True when `sig` is this secret's signature of `path` and `expires` has not passed. */
export async function verifySignedPath(
  secret: string,
  path: string,
  expires: string | undefined,
  sig: string | undefined,
  nowMs: number,
): Promise<boolean> {
  if (expires === undefined || sig === undefined || !/^\d{1,12}$/.test(expires)) return false;
  if (Number(expires) * 1000 <= nowMs) return false;
  const mac = fromHex(sig);
  if (mac === undefined) return false;
  // crypto.subtle.verify compares in constant time.
  return crypto.subtle.verify('HMAC', await hmacKey(secret), mac, message(path, Number(expires)));
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
}

function message(path: string, expires: number): Uint8Array {
  return new TextEncoder().encode(`${PURPOSE}\n${path}\n${expires}`);
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** SHA-256 MACs are 32 bytes; anything else is not a signature of ours. */
function fromHex(hex: string): Uint8Array | undefined {
  if (!/^[0-9a-f]{64}$/.test(hex)) return undefined;
  return Uint8Array.from(hex.match(/../g) ?? [], (pair) => Number.parseInt(pair, 16));
}
