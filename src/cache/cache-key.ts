/**
 * Cache keys (docs/architecture.md §5): tenant, lower-case name, type, class and the DO/CD
 * bits, because a DNSSEC-aware client (DO) or one that disabled validation
 * (CD) may get a different answer than a plain client for the same name.
 */
export interface CacheKeyParts {
  readonly tenant: string;
  readonly name: string;
  readonly type: string;
  readonly qclass: string;
  readonly dnssecOk: boolean;
  readonly checkingDisabled: boolean;
}

/** A string key; the tenant comes first so one tenant's keys never collide with another's. */
export function cacheKey(parts: CacheKeyParts): string {
  const bits = `${parts.dnssecOk ? 'do' : '-'}${parts.checkingDisabled ? 'cd' : '-'}`;
  return [
    encodeURIComponent(parts.tenant),
    encodeURIComponent(parts.name.toLowerCase()),
    parts.type,
    parts.qclass,
    bits,
  ].join('/');
}
