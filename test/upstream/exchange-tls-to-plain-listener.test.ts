/**
 * workerd does not trust a self-signed certificate and offers no way to add a
 * CA for `connect()`, so a real DoT answer cannot be produced on loopback.
 * What can be tested is that `tls://` runs the TLS path and that a peer that
 * does not speak TLS yields a typed failure instead of a throw or a hang.
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
