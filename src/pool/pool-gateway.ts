/**
 * The isolate's side of the DomainPool objects: names the object for a
 * (tenant, domain) pair and makes the RPC calls.
 */
import type { DomainPool, PoolOpening, PoolView, PoolWriteResult } from './domain-pool';
import type { PoolWrite } from './pool-update';

/** What a query must be for its answers to be pooled. */
export interface PoolIdentityParts {
  readonly qclass: string;
  readonly checkingDisabled: boolean;
  readonly dnssecOk: boolean;
}

/**
 * A pool is identified by (tenant, name, class, type, CD) (docs/architecture.md §4). This
 * resolver pools only class IN with CD=0 and DO=0; every other query gets the
 * winner's answer, cached under its own key (which carries class, DO and CD)
 * and never pooled. So a pool only ever holds what a plain client may get.
 *
 * Why not a pool of their own:
 * - CD=1 comes from a validating stub that checks signatures itself (RFC 4035
 *   §3.2.2); it also sets DO, and a merged RRset is signed by no upstream, so
 *   a CD pool would be useless to the only clients that ask for one, and data
 *   that failed validation upstream must never sit where plain clients read.
 * - DO=1 for the same reason: merging breaks the upstreams' signatures.
 * - Classes other than IN (CH `version.bind`, `id.server`) describe the
 *   server that answers; merging several servers' answers means nothing, and
 *   nobody load-balances over them.
 */
export function isPooled(query: PoolIdentityParts): boolean {
  return query.qclass === 'IN' && !query.checkingDisabled && !query.dnssecOk;
}

/**
 * The object's side of the calls; `type` names a plain IN, CD=0 pool
 * (isPooled), which is why class and CD are not part of its arguments.
 */
export interface PoolGateway {
  write(tenant: string, name: string, type: string, write: PoolWrite): Promise<PoolWriteResult>;
  /**
   * The pool as served now (DomainPool.read), and whether this isolate runs the
   * background sweep, leased for `leaseMs` (docs/architecture.md §4).
   */
  open(tenant: string, name: string, type: string, leaseMs: number): Promise<PoolOpening>;
  inspect(tenant: string, name: string, type: string): Promise<PoolView | null>;
}

/**
 * One object per (tenant, name): the tenant is part of the object name, so
 * two tenants asking for the same domain never share (or see) one pool.
 * `/` cannot occur in an encoded component, so the pair is unambiguous.
 */
export function poolObjectName(tenant: string, name: string): string {
  return `${encodeURIComponent(tenant)}/${encodeURIComponent(name.toLowerCase())}`;
}

export function durablePoolGateway(namespace: DurableObjectNamespace<DomainPool>): PoolGateway {
  const stub = (tenant: string, name: string) =>
    namespace.get(namespace.idFromName(poolObjectName(tenant, name)));
  return {
    write: (tenant, name, type, write) => stub(tenant, name).write({ name, type, write }),
    open: (tenant, name, type, leaseMs) => stub(tenant, name).open({ type, leaseMs }),
    inspect: (tenant, name, type) => stub(tenant, name).inspect(type),
  };
}
