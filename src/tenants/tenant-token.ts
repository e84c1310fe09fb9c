/**
 * Tenant bearer tokens (docs/operations.md §2): generated here, stored only as a hash,
 * compared in constant time so response timing says nothing about how much
 * of a guess was right.
 */

/**
 * A distinctive prefix makes a leaked token findable: secret scanners (GitHub
 * secret scanning, gitleaks) and a plain grep of logs can match `edt_` +
 * 43 base64url characters without false positives, and a human sees at once
 * which system the token belongs to.
 */
export const TOKEN_PREFIX = 'edt_';

/** 256 bits: far beyond any online or offline guessing, which is why a fast hash suffices below. */
const TOKEN_BYTES = 32;

/** A new random token: `edt_` + 32 CSPRNG bytes in base64url (RFC 4648 §5), no padding. */
export function generateToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(TOKEN_BYTES));
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return TOKEN_PREFIX + base64url;
}

/**
 * SHA-256 of the token, lower-case hex: what the tenant record stores. A slow
 * password hash (PBKDF2, scrypt) would buy nothing: a 256-bit random token
 * cannot be brute-forced from its hash, and every admin request would pay
 * the cost.
 */
export async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Compares two strings (typically two token hashes) without a data-dependent
 * early exit, using workerd's `crypto.subtle.timingSafeEqual`. Strings of
 * different byte lengths are unequal; `a` is still compared with itself so
 * the time spent depends only on `a`, never on how much of `b` matched.
 * Comparing fixed-length hashes, as the admin API does, leaks no length at all.
 *
 * @see https://developers.cloudflare.com/workers/runtime-apis/web-crypto/#timingsafeequal
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const encoder = new TextEncoder();
  const left = encoder.encode(a);
  const right = encoder.encode(b);
  if (left.byteLength !== right.byteLength) {
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}
