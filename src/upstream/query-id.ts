/**
 * Message IDs for upstream queries. Over TCP/DoT the ID is the only thing
 * tying an answer to its query, so it is random (RFC 5452 §9.2: predictable
 * IDs make spoofing easy). Over DoH it is 0 (RFC 8484 §4.1), which keeps
 * identical queries byte-identical for HTTP caches.
 */

/** The ID every DoH query carries (RFC 8484 §4.1). */
export const DOH_QUERY_ID = 0;

/** A uniformly random 16-bit message ID. */
export function randomQueryId(): number {
  return crypto.getRandomValues(new Uint16Array(1))[0] ?? 0;
}

/** A copy of a wire-format message with its ID (the first two bytes, RFC 1035 §4.1.1) replaced. */
export function withQueryId(message: Uint8Array, id: number): Uint8Array {
  const copy = message.slice();
  new DataView(copy.buffer, copy.byteOffset, copy.byteLength).setUint16(0, id);
  return copy;
}
