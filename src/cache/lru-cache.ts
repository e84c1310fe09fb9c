/**
 * A bounded least-recently-used map. Isolate memory is shared by every
 * request the isolate serves (128 MB on Workers), so each cache has a hard
 * limit on entries and, when given a `sizeOf`, on the bytes its values are
 * estimated to take: a count alone does not bound memory when one entry can
 * be a few bytes or 64 KB.
 */
export interface LruOptions<K, V> {
  /** Upper bound of the estimated bytes of all entries; requires `sizeOf`. */
  readonly maxBytes?: number;
  /** Estimated bytes of one entry (key and value), an overestimate rather than an under. */
  readonly sizeOf?: (key: K, value: V) => number;
}

interface Slot<V> {
  readonly value: V;
  readonly bytes: number;
}

export class LruCache<K, V> {
  readonly #entries = new Map<K, Slot<V>>();
  readonly #maxBytes: number;
  readonly #sizeOf: (key: K, value: V) => number;
  #bytes = 0;

  constructor(
    readonly maxEntries: number,
    options: LruOptions<K, V> = {},
  ) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    const { maxBytes = Number.POSITIVE_INFINITY, sizeOf = () => 0 } = options;
    if (!(maxBytes > 0)) throw new RangeError(`maxBytes must be positive, got ${maxBytes}`);
    this.#maxBytes = maxBytes;
    this.#sizeOf = sizeOf;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Estimated bytes of every entry held (0 without `sizeOf`). */
  get bytes(): number {
    return this.#bytes;
  }

  /** Returns the value and marks it most recently used. */
  get(key: K): V | undefined {
    const slot = this.#entries.get(key);
    if (slot === undefined) return undefined;
    // Map keeps insertion order: re-inserting moves the key to the young end.
    this.#entries.delete(key);
    this.#entries.set(key, slot);
    return slot.value;
  }

  /** The value without marking it used. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  /**
   * Stores the value as the most recently used, evicting the oldest entries
   * until both bounds hold. A value larger than `maxBytes` on its own is not
   * stored (and replaces nothing): returns false.
   */
  set(key: K, value: V): boolean {
    this.delete(key);
    const bytes = this.#sizeOf(key, value);
    if (bytes > this.#maxBytes) return false;
    this.#entries.set(key, { value, bytes });
    this.#bytes += bytes;
    while (this.#entries.size > this.maxEntries || this.#bytes > this.#maxBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
    return true;
  }

  delete(key: K): boolean {
    const slot = this.#entries.get(key);
    if (slot === undefined) return false;
    this.#entries.delete(key);
    this.#bytes -= slot.bytes;
    return true;
  }

  clear(): void {
    this.#entries.clear();
    this.#bytes = 0;
  }
}

/**
 * An estimate of what a JSON-like value costs in a V8 heap: two bytes per
 * character of its JSON form (strings are UTF-16 at worst; numbers and
 * punctuation cost at least that as object slots). Buffers serialise as
 * arrays of numbers, about four characters per byte, an overestimate, which
 * is the safe side for a memory bound.
 */
export function estimatedBytes(value: unknown): number {
  return 2 * (JSON.stringify(value)?.length ?? 0);
}
