/**
 * DNS over TCP (RFC 7766) and DNS over TLS (RFC 7858) with `connect()` from
 * `cloudflare:sockets`: the same code, DoT only asks the socket for TLS.
 *
 * One query per connection. RFC 7766 §6.2.1 prefers reusing connections and
 * pipelining, but a Worker invocation sends each upstream at most one query
 * per fan-out (docs/architecture.md §2) and sockets cannot outlive the invocation, so there
 * is nothing to reuse yet; the framing is already per message, so pooling can
 * come later without touching the format.
 *
 * @see https://www.rfc-editor.org/rfc/rfc7766#section-8
 * @see https://www.rfc-editor.org/rfc/rfc7858#section-3.3
 * @see https://developers.cloudflare.com/workers/runtime-apis/tcp-sockets/
 */
import { connect } from 'cloudflare:sockets';
import { MAX_MESSAGE_LENGTH } from '../dns/edns';
import { ABORTED, raceAbort } from './abort-race';
import { FrameAssembler, frameMessage } from './frame-assembler';
import { describeError, failure } from './transport-failure';
import type { Transport, TransportResult, Upstream } from './types';

export interface StreamTransportOptions {
  /** TLS (DoT) instead of plain TCP. */
  readonly secure: boolean;
}

/** Creates the transport for a `tcp://` or `tls://` upstream. */
export function createStreamTransport(
  upstream: Pick<Upstream, 'hostname' | 'port'>,
  options: StreamTransportOptions,
): Transport {
  const address = { hostname: upstream.hostname, port: upstream.port };
  const socketOptions: SocketOptions = {
    secureTransport: options.secure ? 'on' : 'off',
    // A half-closed upstream is of no use: the answer is all we wait for.
    allowHalfOpen: false,
  };

  return async function streamTransport(query, signal): Promise<TransportResult> {
    if (query.length > MAX_MESSAGE_LENGTH) {
      return failure('malformed', `query of ${query.length} bytes does not fit a TCP frame`);
    }
    if (signal.aborted) return failure('timeout', 'aborted before connecting');

    let socket: Socket;
    try {
      socket = connect(address, socketOptions);
    } catch (error) {
      // connect() throws synchronously for addresses the platform refuses outright.
      return failure('network', `connect failed: ${describeError(error)}`);
    }
    // `closed` rejects when the connection fails; observed here so that is not an unhandled rejection.
    void socket.closed.catch(ignore);
    const race = raceAbort(signal, () => closeSocket(socket));
    try {
      const opened = await Promise.race([
        socket.opened.then(() => true, describeError),
        race.aborted,
      ]);
      if (opened === ABORTED) return failure('timeout', 'aborted while connecting');
      if (opened !== true) {
        // workerd reports a refused TCP connection and a failed TLS handshake with
        // the same error, so over TLS the failure cannot be called a refusal.
        return options.secure
          ? failure('network', `connection or TLS handshake failed: ${opened}`)
          : failure('refused', `connection failed: ${opened}`);
      }

      const writer = socket.writable.getWriter();
      const written = await Promise.race([
        writer.write(frameMessage(query)).then(() => true, describeError),
        race.aborted,
      ]);
      if (written === ABORTED) return failure('timeout', 'aborted while sending');
      if (written !== true) return streamBroken(options.secure, 0, `send failed: ${written}`);

      return await readAnswer(socket.readable.getReader(), race.aborted, options.secure);
    } catch (error) {
      // The platform API threw where it was expected to reject; still a typed failure.
      return signal.aborted
        ? failure('timeout', 'aborted')
        : failure('network', `socket error: ${describeError(error)}`);
    } finally {
      race.dispose();
      closeSocket(socket);
    }
  };
}

async function readAnswer(
  reader: ReadableStreamDefaultReader<unknown>,
  aborted: Promise<typeof ABORTED>,
  secure: boolean,
): Promise<TransportResult> {
  const assembler = new FrameAssembler();
  for (;;) {
    const read = await Promise.race([
      reader.read().then(
        (result) => result,
        (error: unknown) => describeError(error),
      ),
      aborted,
    ]);
    if (read === ABORTED) {
      return failure('timeout', `aborted after ${assembler.received} bytes of the answer`);
    }
    if (typeof read === 'string') return streamBroken(secure, assembler.received, read);
    if (read.done) {
      const expected = assembler.expected;
      return failure(
        'closed',
        `peer closed after ${assembler.received}${expected === undefined ? '' : ` of ${expected}`} bytes`,
      );
    }
    if (!(read.value instanceof Uint8Array))
      return failure('network', 'socket yielded a non-byte chunk');
    const message = assembler.push(read.value);
    if (message !== undefined) return { ok: true, bytes: message };
  }
}

/**
 * A stream that errors instead of ending. Over TLS with nothing received yet
 * this is almost always the handshake failing (certificate, or a peer that
 * does not speak TLS): a `network` failure. Otherwise the peer reset a
 * working connection: `closed`.
 */
function streamBroken(secure: boolean, received: number, detail: string): TransportResult {
  if (secure && received === 0) return failure('network', `TLS stream failed: ${detail}`);
  return failure('closed', `connection broke after ${received} bytes: ${detail}`);
}

/**
 * Starts closing without waiting: in workerd `close()` can stay pending while
 * a TLS handshake is still running (seen with a peer that never completes
 * it), and the transport must return when the signal fires, not when the
 * platform is done tearing down.
 */
function closeSocket(socket: Socket): void {
  void socket.close().catch(ignore);
}

function ignore(): void {
  // Closing an already closed or failed socket rejects; there is nothing left to do.
}
