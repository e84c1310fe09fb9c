/**
 * DoH plumbing for the Node test servers (RFC 8484 §4.1): the query comes as
 * a POST body or a base64url `dns` parameter of a GET, on path `/dns-query`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

export const DOH_PATH = '/dns-query';
export const DNS_MESSAGE = 'application/dns-message';

/** The query bytes of a DoH request, or undefined (and a 4xx already sent) if there are none. */
export async function readDnsQuery(
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Uint8Array | undefined> {
  const url = new URL(request.url ?? '/', 'http://loopback');
  if (url.pathname !== DOH_PATH) {
    response.writeHead(404).end();
    return undefined;
  }
  if (request.method === 'GET') {
    const dns = url.searchParams.get('dns');
    if (dns === null) {
      response.writeHead(400).end();
      return undefined;
    }
    return new Uint8Array(Buffer.from(dns, 'base64url'));
  }
  if (request.method !== 'POST') {
    response.writeHead(405).end();
    return undefined;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Sends a DNS message as a 200 `application/dns-message` response. */
export function sendDnsMessage(response: ServerResponse, message: Uint8Array): void {
  response.writeHead(200, { 'content-type': DNS_MESSAGE, 'content-length': message.length });
  response.end(message);
}

/**
 * Runs an async request handler from Node's callback API: a failure (the
 * client went away mid-body) destroys the response instead of surfacing as an
 * unhandled rejection that would fail the whole test run.
 */
export function handleAsync(response: ServerResponse, work: () => Promise<void>): void {
  work().catch(() => response.destroy());
}
