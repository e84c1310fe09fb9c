/**
 * A DomainPool object for tests, reached by RPC like the isolates reach it.
 * The stub's generated RPC types collapse to `never` for results holding
 * `data: unknown`, so the methods are re-typed here with the object's own types.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import type {
  DomainPool,
  PoolOpening,
  PoolOpenRequest,
  PoolSnapshot,
  PoolView,
  PoolWriteRequest,
  PoolWriteResult,
} from '../../src/pool/domain-pool';

export interface PoolObject {
  write(request: PoolWriteRequest): Promise<PoolWriteResult>;
  read(type: string): Promise<PoolSnapshot | null>;
  open(request: PoolOpenRequest): Promise<PoolOpening>;
  inspect(type: string): Promise<PoolView | null>;
  /** Sets the object's clock (its test seam) to `now`, until the object is evicted. */
  setClock(now: number): Promise<void>;
}

/** The object called `objectName` (use a unique name per test). */
export function poolObject(objectName: string): PoolObject {
  const stub = env.DOMAIN_POOL.get(env.DOMAIN_POOL.idFromName(objectName));
  return {
    write: (request) => stub.write(request),
    read: (type) => stub.read(type),
    open: (request) => stub.open(request),
    inspect: (type) => stub.inspect(type),
    setClock: (now) =>
      runInDurableObject(stub, (instance: DomainPool) => {
        instance.now = () => now;
      }),
  };
}
