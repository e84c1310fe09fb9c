/**
 * A tenant's allow and deny lists (docs/operations.md §2): name suffixes answered NXDOMAIN
 * without asking an upstream, and suffixes always passed through. Compiled
 * once per config, because the decision runs on every query.
 */
import type { TenantConfig } from './tenant-config';

export type NameDecision = 'deny' | 'pass';

/**
 * Builds the per-query decision. An entry matches the name itself and every
 * name below it, on label boundaries (`ads.example` matches `x.ads.example`,
 * not `badads.example`); matching is case-insensitive (RFC 4343) and ignores a
 * trailing dot (the root label, RFC 1034 §3.1).
 *
 * An allow entry wins over any deny entry, however specific: that lets a
 * tenant carve exceptions out of a blocked zone (deny `tracker.example`,
 * allow `cdn.tracker.example`) without an ordering language to get wrong.
 *
 * Lookups are O(labels): each suffix of the name is one Set probe.
 */
export function compileNamePolicy(
  config: Pick<TenantConfig, 'allow' | 'deny'>,
): (name: string) => NameDecision {
  const allow = new Set(config.allow.map(canonicalSuffix));
  const deny = new Set(config.deny.map(canonicalSuffix));
  if (deny.size === 0)
    return function passAll() {
      return 'pass';
    };

  return function decide(name: string): NameDecision {
    const suffixes = suffixesOf(canonicalSuffix(name));
    if (suffixes.some((suffix) => allow.has(suffix))) return 'pass';
    return suffixes.some((suffix) => deny.has(suffix)) ? 'deny' : 'pass';
  };
}

function canonicalSuffix(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** `a.b.c` → `a.b.c`, `b.c`, `c`. The root (empty name) has no suffix to match. */
function suffixesOf(name: string): string[] {
  if (name === '') return [];
  const suffixes = [name];
  for (let dot = name.indexOf('.'); dot !== -1; dot = name.indexOf('.', dot + 1)) {
    suffixes.push(name.slice(dot + 1));
  }
  return suffixes;
}
