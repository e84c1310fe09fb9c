/**
 * A far-away pool object, simulated: every call to the pool waits `latencyMs`
 * first (SIMULATED_POOL_LATENCY_MS, docs/configuration.md §1). The object for
 * a name is one instance in one place, so most colos reach it across an ocean;
 * the fleet benchmark uses this to show what that costs a client (nothing on
 * the path the client waits for, by design) on one machine.
 */
import type { PoolGateway } from './pool-gateway';

export function withSimulatedLatency(gateway: PoolGateway, latencyMs: number): PoolGateway {
  if (latencyMs <= 0) return gateway;
  const later = <T>(call: () => Promise<T>): Promise<T> =>
    new Promise((resolve) => setTimeout(resolve, latencyMs)).then(call);
  return {
    write: (...args) => later(() => gateway.write(...args)),
    open: (...args) => later(() => gateway.open(...args)),
    inspect: (...args) => later(() => gateway.inspect(...args)),
  };
}
