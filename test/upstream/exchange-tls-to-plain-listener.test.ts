/**
 * workerd trusts an extra CA, for `connect()` as for `fetch()`, only through
 * NODE_EXTRA_CA_CERTS, which Miniflare reads once when it is loaded (checked:
 * `NODE_EXTRA_CA_CERTS=ca.pem npx vitest run` gets real DoT answers through
 * stunnel). These tests do not set it; real DoT and DoH-over-TLS answers, and
 * wrong-name, expired and stalled servers, are proven by the e2e suite
 * (e2e/tls_upstreams.py). What is tested here is that `tls://` runs the TLS
 * path and that a peer that does not speak TLS yields a typed failure instead
 * of a throw or a hang.
 */
import { expect, inject, it } from 'vitest';
import { loopbackUpstream } from '../support/dns-query';
import { TestName } from '../support/test-zone';
import { ask, failedAs } from './exchange-harness';

/** The handshake against a silent peer never completes; this bounds the wait. */
const HANDSHAKE_SIGNAL_MS = 300;

it('reports a TLS handshake with a plain DNS-over-TCP listener as a typed failure', async () => {
  const upstream = loopbackUpstream(`tls://127.0.0.1:${inject('tcpPort')}`);
  const result = await ask(upstream, TestName.a, {
    signal: AbortSignal.timeout(HANDSHAKE_SIGNAL_MS),
  });
  // The plain server waits for the rest of a "frame" the ClientHello seemed to announce.
  expect(result).toMatchObject(failedAs('timeout'));
});

it('reports a TLS handshake answered with plain HTTP as a network failure', async () => {
  const upstream = loopbackUpstream(`tls://127.0.0.1:${inject('dohPort')}`);
  const result = await ask(upstream, TestName.a, {
    signal: AbortSignal.timeout(HANDSHAKE_SIGNAL_MS * 10),
  });
  expect(result).toMatchObject(failedAs('network'));
});
