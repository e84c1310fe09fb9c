/**
 * Loopback detection for upstream hosts. Only the development switch
 * ALLOW_LOOPBACK_UPSTREAMS lets an upstream point at the machine the resolver
 * runs on; the full tenant policy (private and link-local ranges, ports) is a
 * separate, stricter check (docs/operations.md §2).
 */

/** 127.0.0.0/8 (RFC 1122 §3.2.1.3) and 0.0.0.0/8, which Linux and workerd's host connect to locally. */
const LOOPBACK_IPV4 = /^(?:127|0)\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** ::1 and :: (unspecified, which also reaches the local host) in the compressed form WHATWG URL produces. */
const LOOPBACK_IPV6 = new Set(['::1', '::']);
/** IPv4-mapped IPv6 (RFC 4291 §2.5.5.2) as WHATWG URL serializes it: `::ffff:7f00:1`. */
const MAPPED_IPV4 = /^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/;

/**
 * True when `hostname` (as WHATWG URL canonicalizes it, IPv6 without
 * brackets) names the local host: `localhost` and its subdomains (RFC 6761
 * §6.3 says they resolve to loopback), 127.0.0.0/8, 0.0.0.0/8, ::1, ::,
 * and those IPv4 addresses mapped into IPv6.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (LOOPBACK_IPV4.test(host) || LOOPBACK_IPV6.has(host)) return true;
  const mapped = MAPPED_IPV4.exec(host)?.[1];
  if (mapped === undefined) return false;
  const firstOctet = Number.parseInt(mapped, 16) >> 8;
  return firstOctet === 127 || firstOctet === 0;
}
