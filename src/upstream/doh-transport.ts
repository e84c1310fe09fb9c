/**
 * DNS over HTTPS (RFC 8484), also over plain `http://` for development and
 * tests: POST with the wire-format query as body. POST rather than GET
 * because upstream answers are cached by us, not by HTTP caches on the way,
 * and POST needs no base64url step.
 *
 * @see https://www.rfc-editor.org/rfc/rfc8484#section-4.1
 */
import { MAX_MESSAGE_LENGTH } from '../dns/edns';
import { ABORTED, raceAbort } from './abort-race';
import { describeError, failure } from './transport-failure';
import type { Transport, TransportResult, Upstream } from './types';

/** The DoH media type (RFC 8484 §6). */
export const DNS_MESSAGE_TYPE = 'application/dns-message';

/** Creates the transport for an `https://` or `http://` upstream. */
export function createDohTransport(upstream: Pick<Upstream, 'url'>): Transport {
  return async function dohTransport(query, signal): Promise<TransportResult> {
    if (signal.aborted) return failure('timeout', 'aborted before sending');
    let response: Response;
    try {
      response = await fetch(upstream.url, {
        method: 'POST',
        headers: { 'content-type': DNS_MESSAGE_TYPE, accept: DNS_MESSAGE_TYPE },
        body: query,
        // docs/operations.md §2: a redirect is a failure, never followed. Following one
        // would send the query to whatever scheme, host and port the
        // Location names, past the upstream URL policy (an SSRF).
        redirect: 'manual',
        signal,
      });
    } catch (error) {
      if (signal.aborted) return failure('timeout', 'aborted before the response');
      return failure(
        isRefusal(error) ? 'refused' : 'network',
        `fetch failed: ${describeError(error)}`,
      );
    }

    // A 3xx under `redirect: 'manual'` is not `ok`: an http-error with its status.
    if (!response.ok) {
      await discard(response);
      return failure('http-error', `HTTP ${response.status}`, { status: response.status });
    }
    const type = mediaType(response.headers.get('content-type'));
    if (type !== DNS_MESSAGE_TYPE) {
      await discard(response);
      return failure('http-error', `content type "${type}" is not ${DNS_MESSAGE_TYPE}`, {
        status: response.status,
      });
    }
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > MAX_MESSAGE_LENGTH) {
      await discard(response);
      return failure('malformed', `body of ${declared} bytes is larger than any DNS message`);
    }
    return readBody(response, signal);
  };
}

/** Reads at most MAX_MESSAGE_LENGTH, so a hostile upstream cannot make us buffer megabytes. */
async function readBody(response: Response, signal: AbortSignal): Promise<TransportResult> {
  const body = response.body;
  if (body === null) return failure('malformed', 'empty body');
  const reader = body.getReader();
  const race = raceAbort(signal);
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const read = await Promise.race([
        reader.read().then(
          (result) => result,
          (error: unknown) => describeError(error),
        ),
        race.aborted,
      ]);
      if (read === ABORTED) return failure('timeout', `aborted after ${length} bytes of the body`);
      if (typeof read === 'string') {
        return failure('closed', `body broke after ${length} bytes: ${read}`);
      }
      if (read.done) break;
      length += read.value.length;
      if (length > MAX_MESSAGE_LENGTH) {
        return failure('malformed', `body exceeds ${MAX_MESSAGE_LENGTH} bytes`);
      }
      chunks.push(read.value);
    }
  } finally {
    race.dispose();
    await reader.cancel().catch(ignore);
  }
  return { ok: true, bytes: concat(chunks, length) };
}

/** `type/subtype` in lower case, parameters dropped (RFC 9110 §8.3.1). */
function mediaType(header: string | null): string {
  return (header ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * A fetch that rejects before any response means the connection was refused
 * or reset before an answer: workerd reports both as "Network connection
 * lost." (the OS error stays in its log), with no error code to check, so the
 * words are matched. Anything else (a failed lookup of the upstream's host is
 * an opaque "internal error") is `network`.
 */
function isRefusal(error: unknown): boolean {
  return /network connection lost|refused|reset/i.test(describeError(error));
}

/** Frees the connection of a response we will not read. */
async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(ignore);
}

function concat(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

function ignore(): void {
  // Cancelling a finished or failed body rejects; nothing is left to free.
}
