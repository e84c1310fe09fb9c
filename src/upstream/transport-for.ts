/**
 * Picks the transport for an upstream's URL scheme (docs/architecture.md §2).
 */
import { createDohTransport } from './doh-transport';
import { createStreamTransport } from './stream-transport';
import type { Transport, Upstream } from './types';

/** The transport that speaks `upstream.scheme`. */
export function transportFor(upstream: Upstream): Transport {
  switch (upstream.scheme) {
    case 'https':
    case 'http':
      return createDohTransport(upstream);
    case 'tcp':
      return createStreamTransport(upstream, { secure: false });
    case 'tls':
      return createStreamTransport(upstream, { secure: true });
  }
}
