/**
 * The fleet globalSetup starts for every test run: five upstreams, mixed DoH
 * and TCP, delays spread across 5–60 ms (well inside the 300 ms fallback timer
 * so tier ordering, not timeouts, decides who answers first), and overlapping
 * address subsets (RFC 5737 TEST-NET-2): neighbours share one address and no
 * single upstream knows the whole pool, so only a complete merge has all six.
 */
import type { FleetUpstreamSpec } from './upstream-fleet';

export const DEFAULT_FLEET: readonly FleetUpstreamSpec[] = [
  { name: 'fleet-1', transport: 'http', delayMs: 5, addresses: ['198.51.100.1', '198.51.100.2'] },
  { name: 'fleet-2', transport: 'tcp', delayMs: 10, addresses: ['198.51.100.2', '198.51.100.3'] },
  { name: 'fleet-3', transport: 'http', delayMs: 20, addresses: ['198.51.100.3', '198.51.100.4'] },
  { name: 'fleet-4', transport: 'tcp', delayMs: 40, addresses: ['198.51.100.4', '198.51.100.5'] },
  { name: 'fleet-5', transport: 'http', delayMs: 60, addresses: ['198.51.100.5', '198.51.100.6'] },
];
