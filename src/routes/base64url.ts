import { HttpError } from '../errors';

/** RFC 4648 §5 alphabet. RFC 8484 §4.1 says padding is omitted; we tolerate it. */
const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/**
 * Decodes the `dns` parameter of a DoH GET (RFC 8484 §4.1). Rejects anything
 * outside the base64url alphabet instead of letting atob() guess.
 */
export function decodeBase64Url(value: string): Uint8Array {
  if (!BASE64URL.test(value)) {
    throw new HttpError(400, 'dns parameter is not base64url');
  }
  const unpadded = value.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) {
    throw new HttpError(400, 'dns parameter has an impossible base64url length');
  }
  const binary = atob(unpadded.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** The inverse, used by tests and clients of this worker. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
