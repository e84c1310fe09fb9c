/**
 * Which tenant a request's Host header selects (docs/operations.md §2):
 * `<tenant>.<RESOLVER_DOMAIN>` is that tenant, the bare domain is the default
 * tenant, anything else is unknown (404) so a stray Host never falls through
 * to some tenant's config.
 */

export type HostTenant = { kind: 'default' } | { kind: 'tenant'; id: string } | { kind: 'unknown' };

/**
 * A tenant id is exactly one lower-case DNS label (RFC 1035 §2.3.1, RFC 1123
 * §2.1: letters, digits, inner hyphens, at most 63 octets), because it is the
 * first label of the tenant's hostname and a key prefix in KV and the pools.
 */
export const TENANT_ID_PATTERN: RegExp = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * The default tenant's internal id. The pattern already excludes `_`; it is
 * named here so no later widening of the pattern lets a tenant take it over.
 */
const RESERVED_TENANT_ID = '_default';

/** Hosts a local `wrangler dev` is reached by; only in development do they mean the default tenant. */
const DEVELOPMENT_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Optional `:port` after the host (RFC 9110 §7.2 Host = uri-host [ ":" port ]). */
const PORT_SUFFIX = /:\d{0,5}$/;

/** True when `id` may name a tenant: one DNS label, lower case, not reserved. */
export function isValidTenantId(id: string): boolean {
  return id !== RESERVED_TENANT_ID && TENANT_ID_PATTERN.test(id);
}

/**
 * Maps a Host header to a tenant. Case-insensitive (RFC 4343), ports ignored,
 * one trailing dot ignored (`doh.example.com.` is the same name); exactly one
 * label in front of RESOLVER_DOMAIN selects a tenant, more than one is unknown
 * rather than guessing which label was meant.
 *
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-7.2
 */
export function tenantFromHost(
  host: string | undefined,
  resolverDomain: string,
  options: { development: boolean },
): HostTenant {
  if (host === undefined) return { kind: 'unknown' };
  const name = withoutTrailingDot(withoutPort(host.trim().toLowerCase()));
  if (options.development && DEVELOPMENT_HOSTS.has(name)) return { kind: 'default' };

  const domain = withoutTrailingDot(resolverDomain.trim().toLowerCase());
  if (domain === '' || name === '') return { kind: 'unknown' };
  if (name === domain) return { kind: 'default' };
  if (!name.endsWith(`.${domain}`)) return { kind: 'unknown' };
  const id = name.slice(0, -(domain.length + 1));
  return isValidTenantId(id) ? { kind: 'tenant', id } : { kind: 'unknown' };
}

/** Drops `:port`; keeps `[v6]` brackets, since only the bracketed form is a Host. */
function withoutPort(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    if (end === -1) return '';
    const rest = host.slice(end + 1);
    return rest === '' || PORT_SUFFIX.test(rest) ? host.slice(0, end + 1) : '';
  }
  const colon = host.indexOf(':');
  if (colon === -1) return host;
  return PORT_SUFFIX.test(host.slice(colon)) ? host.slice(0, colon) : '';
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}
