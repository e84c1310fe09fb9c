/**
 * Which upstreams a tenant may configure (docs/operations.md §2). A tenant's upstream URL
 * becomes a `fetch()` or `connect()` from inside Cloudflare's network, so an
 * unchecked one is a server-side request forgery: cloud metadata at
 * 169.254.169.254, loopback services, private networks behind a tunnel.
 *
 * Whether a host is public, loopback or refused is classifyHost's call; this
 * module adds the scheme and port rules and finds every host and port that
 * an entry names (as written, as parsed, and as fetch() will use them).
 */
import type { Upstream, UpstreamScheme } from '../upstream/types';
import { classifyHost, parseUrl } from './classify-host';

export interface TenantUpstreamOptions {
  /** ALLOW_LOOPBACK_UPSTREAMS (development): loopback hosts allowed on any port and scheme. */
  readonly allowLoopback: boolean;
}

/**
 * `http` is refused: a tenant's queries would cross the internet in clear text,
 * and DoH without TLS is not RFC 8484 (§5 requires HTTPS).
 */
const ALLOWED_SCHEMES: readonly UpstreamScheme[] = ['https', 'tls', 'tcp'];

/**
 * DNS (RFC 1035 §4.2), DoH (RFC 8484, HTTPS) and DoT (RFC 7858 §3.1), allowed
 * for every scheme: resolvers do offer DoT on 443 to get through firewalls,
 * and none of the three is where internal admin services listen, which is
 * what the port rule guards against.
 */
const ALLOWED_PORTS: readonly number[] = [53, 443, 853];

/** What fetch() connects to when a DoH URL names no port. */
const DEFAULT_HTTP_PORTS = { http: 80, https: 443 } as const;

/** `name=` prefix of an entry, as parseUpstreams reads it. */
const NAMED_ENTRY = /^([^=:/]*)=(.*)$/s;
/** `scheme://` and the authority: everything up to the path, query or fragment. */
const SCHEME_AND_AUTHORITY = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;

/**
 * Returns null when a tenant may use this upstream, else one sentence saying
 * what is refused, naming the scheme, port or host (docs/operations.md §2: https/tls/tcp on
 * 443/853/53, never private, loopback or link-local; development may allow
 * loopback explicitly). `rawEntry` is the `name=url` text the upstream was
 * parsed from: its host is normalized here independently of the parser, and
 * the stricter reading wins.
 *
 * @see https://url.spec.whatwg.org/#concept-ipv4-parser
 * @see https://www.iana.org/assignments/iana-ipv4-special-registry/
 * @see https://www.iana.org/assignments/iana-ipv6-special-registry/
 */
export function checkTenantUpstream(
  upstream: Upstream,
  rawEntry: string,
  options: TenantUpstreamOptions,
): string | null {
  if (rawEntry.includes('\\')) {
    return 'backslash not allowed (URL parsers read it as "/", which can move the host)';
  }
  const named = NAMED_ENTRY.exec(rawEntry.trim());
  const url = (named?.[2] ?? rawEntry).trim();
  const authority = SCHEME_AND_AUTHORITY.exec(url)?.[2];
  if (authority === undefined) return `"${url}" is not a scheme://host URL`;
  if (authority.includes('@')) return 'userinfo (user@host) not allowed in an upstream URL';

  // The host and port as written, as parsed, and (for DoH) as fetch() will use them.
  const hosts = new Set([hostOfAuthority(authority), upstream.hostname]);
  const ports = new Set([upstream.port]);
  if (upstream.scheme === 'http' || upstream.scheme === 'https') {
    const parsed = parseUrl(upstream.url);
    if (parsed === null) return `"${upstream.url}" is not a valid URL`;
    if (parsed.username !== '' || parsed.password !== '') {
      return 'userinfo (user@host) not allowed in an upstream URL';
    }
    hosts.add(parsed.hostname);
    ports.add(parsed.port === '' ? DEFAULT_HTTP_PORTS[upstream.scheme] : Number(parsed.port));
  }

  let loopback = false;
  for (const host of hosts) {
    const verdict = classifyHost(host);
    if (verdict.kind === 'refused') return verdict.message;
    if (verdict.kind === 'loopback') {
      if (!options.allowLoopback) {
        return `${verdict.message}, only allowed with ALLOW_LOOPBACK_UPSTREAMS=true (development)`;
      }
      loopback = true;
    }
  }
  // A development fleet on 127.0.0.1 listens on ephemeral ports and speaks plain HTTP.
  if (loopback) return null;

  if (!ALLOWED_SCHEMES.includes(upstream.scheme)) {
    return `scheme ${upstream.scheme} not allowed (only ${ALLOWED_SCHEMES.join(', ')})`;
  }
  for (const port of ports) {
    if (!ALLOWED_PORTS.includes(port)) {
      return `port ${port} not allowed (only ${ALLOWED_PORTS.join(', ')})`;
    }
  }
  return null;
}

/** The host part of `host[:port]` or `[ipv6][:port]`, as written. */
function hostOfAuthority(authority: string): string {
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    return end === -1 ? authority : authority.slice(0, end + 1);
  }
  const colon = authority.indexOf(':');
  return colon === -1 ? authority : authority.slice(0, colon);
}
