/**
 * Resolves a tenant upstream's host name the way the resolver answers its
 * own clients: through the default tenant (the deployment's UPSTREAMS), its
 * caches and pools. A and AAAA are both asked; a failed lookup of either
 * counts as "could not be resolved", so a host cannot hide a private AAAA
 * behind a failing AAAA lookup (fail closed).
 */
import { parseJsonQuery } from '../dns/json-api';
import type { Bindings } from '../env';
import { defaultResolver } from '../resolver/isolate-resolver';
import type { HostAddresses, HostLookup } from './upstream-host-check';

const ADDRESS_TYPES = ['A', 'AAAA'] as const;

/** `waitUntil` keeps each lookup's flight alive past the response, as for any query. */
export function deploymentLookup(
  env: Bindings,
  waitUntil: (work: Promise<unknown>) => void,
): HostLookup {
  return async function deploymentLookup(host): Promise<HostAddresses> {
    const resolver = defaultResolver(env);
    const addresses: string[] = [];
    for (const type of ADDRESS_TYPES) {
      const parsed = parseJsonQuery(new URLSearchParams({ name: host, type }));
      if (!parsed.ok) return { ok: false, reason: parsed.error };
      const resolution = await resolver.resolve(parsed.query, { waitUntil });
      if (resolution.response === null) {
        const why = resolution.extendedErrors[0]?.text ?? 'no upstream answered';
        return { ok: false, reason: `${type} lookup failed: ${why}` };
      }
      for (const record of resolution.response.answers ?? []) {
        if (record.type === type && typeof record.data === 'string') addresses.push(record.data);
      }
    }
    return { ok: true, addresses };
  };
}
