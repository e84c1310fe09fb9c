/**
 * The isolate's side of the DomainPool objects: names the object for a
 * (tenant, domain) pair and makes the RPC calls.
 */
import type { DomainPool, PoolSnapshot, PoolView, PoolWriteResult } from './domain-pool';
import type { PoolWrite } from './pool-update';

export interface PoolGateway {
  write(tenant: string, name: string, type: string, write: PoolWrite): Promise<PoolWriteResult>;
  read(tenant: string, name: string, type: string): Promise<PoolSnapshot | null>;
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
    read: (tenant, name, type) => stub(tenant, name).read(type),
    inspect: (tenant, name, type) => stub(tenant, name).inspect(type),
  };
}
