/**
 * Calls the worker the way the runtime does, with a real ExecutionContext,
 * so tests can wait for the `waitUntil` work (background tier, merge) too.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { type DnsMessage, encodeMessage } from '../../src/dns/codec';
import worker from '../../src/index';
import { encodeBase64Url } from '../../src/routes/base64url';

export const ORIGIN = 'http://localhost';

export interface WorkerCall {
  response: Response;
  /** Resolves when every waitUntil promise of the request has settled. */
  background: Promise<void>;
}

export async function callWorker(
  input: string | Request,
  init?: RequestInit,
  bindings: Partial<Env> = {},
): Promise<WorkerCall> {
  const request = typeof input === 'string' ? new Request(`${ORIGIN}${input}`, init) : input;
  // Each call is its own client unless the test says otherwise, so the
  // per-(tenant, IP) rate limit only bites the test that exercises it.
  if (!request.headers.has('cf-connecting-ip')) {
    request.headers.set('cf-connecting-ip', randomClientIp());
  }
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...bindings }, ctx);
  return { response, background: waitOnExecutionContext(ctx) };
}

/** Shortcut for tests that only need the response and want background work finished. */
export async function fetchWorker(input: string | Request, init?: RequestInit): Promise<Response> {
  const { response, background } = await callWorker(input, init);
  await background;
  return response;
}

export function queryBytes(
  name: string,
  type = 'A',
  id = 0,
  extra: Partial<DnsMessage> = {},
): Uint8Array {
  return encodeMessage({
    id,
    type: 'query',
    flags: RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    ...extra,
  });
}

/** The DO bit in the OPT record's flags (RFC 3225 §3). */
const DNSSEC_OK = 0x8000;

/**
 * A client OPT record (RFC 6891), so responses can carry Extended DNS
 * Errors; `dnssecOk` sets the DO bit.
 */
export function clientOpt(dnssecOk = false): NonNullable<DnsMessage['additionals']>[number] {
  return {
    type: 'OPT',
    name: '.',
    udpPayloadSize: 1232,
    extendedRcode: 0,
    ednsVersion: 0,
    flags: dnssecOk ? DNSSEC_OK : 0,
    flag_do: dnssecOk,
    options: [],
  };
}

/** RD flag bit in the header flags word (RFC 1035 §4.1.1). */
export const RECURSION_DESIRED = 0x0100;

export function getPath(bytes: Uint8Array): string {
  return `/dns-query?dns=${encodeBase64Url(bytes)}`;
}

export function postInit(bytes: Uint8Array, contentType = 'application/dns-message'): RequestInit {
  return { method: 'POST', body: bytes, headers: { 'content-type': contentType } };
}

/** A random address in 2001:db8::/32 (RFC 3849 documentation range). */
export function randomClientIp(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(6)), (g) => g.toString(16));
  return `2001:db8:${groups.join(':')}`;
}
