/** TTLs as the merge reads them (SPEC §3): whole seconds, and never a TTL RFC 2181 forbids. */
/** RFC 2181 §8: a TTL with the top bit set is treated as zero. */
const MAX_TTL_SECONDS = 0x7fffffff;

export function recordTtl(record: { readonly ttl?: number | undefined }): number {
  return clampTtl(record.ttl ?? 0);
}

export function clampTtl(ttl: number): number {
  if (!Number.isFinite(ttl) || ttl < 0 || ttl > MAX_TTL_SECONDS) return 0;
  return Math.floor(ttl);
}
