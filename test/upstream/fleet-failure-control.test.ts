import { expect, inject, it } from 'vitest';
import { exchange } from '../../src/upstream/exchange';
import type { UpstreamFailureKind } from '../../src/upstream/types';
import { resetControl, setUpstreamFailure } from '../support/control-client';
import { buildQuery, loopbackUpstream, noDeadline, uniqueLabel } from '../support/dns-query';
import type { FleetFailure } from '../support/upstream-fleet';
import { FLEET_ZONE } from '../support/upstream-fleet';

/** Bounds the wait for an upstream told never to answer. */
const SIGNAL_MS = 200;

it.each<[FleetFailure, 'http' | 'tcp', UpstreamFailureKind]>([
  ['servfail', 'tcp', 'rcode'],
  ['refused', 'http', 'rcode'],
  ['close', 'tcp', 'closed'],
  ['never', 'http', 'timeout'],
])(
  'makes a fleet upstream fail with %s over %s via POST /fail',
  async (failure, transport, kind) => {
    const spec = inject('fleet').find((u) => u.transport === transport);
    if (spec === undefined) throw new Error(`no ${transport} upstream in the fleet`);
    const upstream = loopbackUpstream(`${spec.name}=${spec.url}`);
    const name = `${uniqueLabel()}.${FLEET_ZONE}`;
    await setUpstreamFailure(spec.name, failure, name);
    try {
      const result = await exchange(upstream, buildQuery(name), AbortSignal.timeout(SIGNAL_MS));
      expect(result).toMatchObject({ ok: false, failure: { kind } });
      // Other names are untouched.
      const other = `${uniqueLabel()}.${FLEET_ZONE}`;
      expect((await exchange(upstream, buildQuery(other), noDeadline())).ok).toBe(true);
    } finally {
      await resetControl(name);
    }
  },
);
