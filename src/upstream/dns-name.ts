/**
 * Domain name comparison for response checks: case-insensitive (RFC 4343 §3)
 * and indifferent to the trailing root dot, which dns-packet sometimes keeps.
 */

/** Lower case, no trailing dot; the root is `''`. */
export function comparableName(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

/** True when `name` is `ancestor` or lies below it (on a label boundary). */
export function isAtOrBelow(name: string, ancestor: string): boolean {
  const n = comparableName(name);
  const a = comparableName(ancestor);
  return a === '' || n === a || n.endsWith(`.${a}`);
}
