/**
 * JSON for pool state in SQLite. Record data can hold bytes (TXT strings,
 * unknown types), which plain JSON would turn into `{}`; they are written as
 * `{ "$bytes": "<base64>" }` and restored as Uint8Array.
 */
import type { PoolState } from './pool-update';
import { NO_SWEEP_LEASE } from './sweep-lease';

const BYTES_TAG = '$bytes';

export function serializePoolState(state: PoolState): string {
  // `this[key]` is the value before toJSON(): Buffer.toJSON would hide the bytes.
  return JSON.stringify(state, function (this: Record<string, unknown>, key, value: unknown) {
    const original = this[key];
    return original instanceof Uint8Array ? { [BYTES_TAG]: toBase64(original) } : value;
  });
}

/** Fields added after the first rows were stored, with the value an old row means. */
const ADDED_FIELDS: Pick<PoolState, 'droppedRecords' | 'lease'> = {
  droppedRecords: 0,
  lease: NO_SWEEP_LEASE,
};

export function deserializePoolState(text: string): PoolState {
  const stored = JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && BYTES_TAG in value) {
      const encoded = (value as Record<string, unknown>)[BYTES_TAG];
      if (typeof encoded === 'string') return fromBase64(encoded);
    }
    return value;
  }) as PoolState;
  return { ...ADDED_FIELDS, ...stored };
}

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
