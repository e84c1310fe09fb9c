/**
 * DNS over TCP framing for the Node test servers: every message is preceded
 * by its length as a 2-byte big-endian integer (RFC 1035 §4.2.2, RFC 7766 §8).
 */
import type { Socket } from 'node:net';

const LENGTH_PREFIX_BYTES = 2;

/** Calls `onMessage` for every complete message, however the bytes were split. */
export function readFrames(socket: Socket, onMessage: (message: Uint8Array) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= LENGTH_PREFIX_BYTES) {
      const length = pending.readUInt16BE(0);
      if (pending.length < LENGTH_PREFIX_BYTES + length) break;
      const message = pending.subarray(LENGTH_PREFIX_BYTES, LENGTH_PREFIX_BYTES + length);
      pending = pending.subarray(LENGTH_PREFIX_BYTES + length);
      onMessage(new Uint8Array(message));
    }
  });
}

/** Prefixes a message with its length. */
export function frame(message: Uint8Array): Buffer {
  const framed = Buffer.alloc(LENGTH_PREFIX_BYTES + message.length);
  framed.writeUInt16BE(message.length, 0);
  framed.set(message, LENGTH_PREFIX_BYTES);
  return framed;
}
