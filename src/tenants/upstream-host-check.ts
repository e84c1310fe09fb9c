/**
 * What a tenant upstream's host name resolves to (docs/operations.md §2). The URL policy
 * (upstream-policy.ts) judges the host as written; a public-looking name
 * (`127.0.0.1.nip.io`, `localtest.me`) can still resolve to loopback or a
 * private network. Names are resolved through the deployment's own upstreams
 * and every address is judged by the same rules as a literal host
 * (classifyHost): one private, loopback or special-purpose address refuses
 * the host.
 *
 * This is defence in depth, not the guarantee: the platform resolves the
 * name again when it connects (possibly through another resolver, possibly
 * to another answer), and its egress refuses private and Cloudflare
 * addresses for connect() (README "Security").
 */
import { parseDottedQuad } from '../dns/ip-address';
import type { Upstream } from '../upstream/types';
import { classifyHost } from './classify-host';

/** The addresses a name has (A and AAAA together), or why there are none. */
export type HostAddresses =
  | { readonly ok: true; readonly addresses: readonly string[] }
  | { readonly ok: false; readonly reason: string };

/** Resolves one host name; never rejects. */
export type HostLookup = (host: string) => Promise<HostAddresses>;

export interface HostCheckOptions {
  /** ALLOW_LOOPBACK_UPSTREAMS (development): a name resolving to loopback is allowed. */
  readonly allowLoopback: boolean;
}

/**
 * The host to resolve, or null when there is nothing to resolve: an address
 * literal (judged as written already) or a name the literal policy already
 * called loopback (`localhost`, only ever allowed in development).
 */
export function hostToResolve(upstream: Pick<Upstream, 'hostname'>): string | null {
  const host = upstream.hostname.toLowerCase().replace(/\.$/, '');
  if (host.startsWith('[') || host.includes(':')) return null;
  if (parseDottedQuad(host) !== null) return null;
  return classifyHost(host).kind === 'public' ? host : null;
}

/**
 * Null when every address of `host` may be reached, else one sentence naming
 * the host and the first address that may not, e.g.
 * `host "db.example" resolves to 10.0.0.5: host 10.0.0.5 is a private address …`.
 */
export function addressesProblem(
  host: string,
  found: HostAddresses,
  options: HostCheckOptions,
): string | null {
  if (!found.ok) {
    return `host "${host}" could not be resolved to check its addresses (${found.reason})`;
  }
  if (found.addresses.length === 0) return `host "${host}" has no A or AAAA address`;
  for (const address of found.addresses) {
    const verdict = classifyHost(address);
    if (verdict.kind === 'refused')
      return `host "${host}" resolves to ${address}: ${verdict.message}`;
    if (verdict.kind === 'loopback' && !options.allowLoopback) {
      return `host "${host}" resolves to ${address}: ${verdict.message}, only allowed with ALLOW_LOOPBACK_UPSTREAMS=true (development)`;
    }
  }
  return null;
}

/**
 * Config-write check: resolves every upstream host name once (the same name
 * twice is asked once) and returns the problems as `upstreams[i]: …`, in
 * upstream order.
 */
export async function checkUpstreamHosts(
  upstreams: readonly Upstream[],
  lookup: HostLookup,
  options: HostCheckOptions,
): Promise<string[]> {
  const hosts = new Map<string, Promise<HostAddresses>>();
  for (const upstream of upstreams) {
    const host = hostToResolve(upstream);
    if (host !== null && !hosts.has(host)) hosts.set(host, lookup(host));
  }
  const problems: string[] = [];
  for (const [index, upstream] of upstreams.entries()) {
    const host = hostToResolve(upstream);
    const found = host === null ? undefined : await hosts.get(host);
    if (host === null || found === undefined) continue;
    const problem = addressesProblem(host, found, options);
    if (problem !== null) problems.push(`upstreams[${index}]: ${problem}`);
  }
  return problems;
}
