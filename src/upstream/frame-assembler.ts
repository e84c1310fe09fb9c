/**
 * Reassembles one length-prefixed DNS message from stream chunks (RFC 1035
 * §4.2.2, RFC 7766 §8): the 2-byte length and the message may arrive split
 * anywhere, down to one byte per read.
 */

const LENGTH_PREFIX_BYTES = 2;

export class FrameAssembler {
  #prefix = new Uint8Array(LENGTH_PREFIX_BYTES);
  #prefixFilled = 0;
  #message: Uint8Array | undefined;
  #messageFilled = 0;

  /** Bytes received so far, prefix included (for failure messages). */
  get received(): number {
    return this.#prefixFilled + this.#messageFilled;
  }

  /** Expected total including the prefix, once the prefix has arrived. */
  get expected(): number | undefined {
    return this.#message === undefined ? undefined : LENGTH_PREFIX_BYTES + this.#message.length;
  }

  /**
   * Adds a chunk; returns the message once complete. Bytes after the message
   * are ignored: one query per connection, so nothing else may follow.
   */
  push(chunk: Uint8Array): Uint8Array | undefined {
    let offset = 0;
    while (this.#message === undefined && offset < chunk.length) {
      this.#prefix[this.#prefixFilled++] = chunk[offset++] ?? 0;
      if (this.#prefixFilled === LENGTH_PREFIX_BYTES) {
        const length = new DataView(this.#prefix.buffer).getUint16(0);
        this.#message = new Uint8Array(length);
      }
    }
    const message = this.#message;
    if (message === undefined) return undefined;
    const take = Math.min(message.length - this.#messageFilled, chunk.length - offset);
    message.set(chunk.subarray(offset, offset + take), this.#messageFilled);
    this.#messageFilled += take;
    return this.#messageFilled === message.length ? message : undefined;
  }
}

/** Prefixes a message with its 2-byte length. The caller checks the length fits. */
export function frameMessage(message: Uint8Array): Uint8Array {
  const framed = new Uint8Array(LENGTH_PREFIX_BYTES + message.length);
  new DataView(framed.buffer).setUint16(0, message.length);
  framed.set(message, LENGTH_PREFIX_BYTES);
  return framed;
}
