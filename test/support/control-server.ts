/**
 * The control endpoint of the loopback servers, for tests running inside
 * workerd: they cannot reach Node objects, but they can `fetch` this.
 *
 * - `GET /stats[?suffix=name]`: per server, request count, per-name counts and
 *   arrivals (name, type, transport, time), optionally only for names at or
 *   below `suffix`.
 * - `GET /fleet`: the fleet members (name, transport, url, delay, addresses).
 * - `POST /reset[?suffix=name]`: forgets arrivals and fleet overrides, all or
 *   only those for `suffix`.
 * - `POST /delay` `{ "upstream", "delayMs", "suffix"? }`: sets a fleet
 *   upstream's delay (for names under `suffix` only, if given).
 * - `POST /fail` `{ "upstream", "failure", "suffix"? }`: makes a fleet upstream
 *   fail (`servfail`, `refused`, `close`, `never`) or answer again (`none`).
 *
 * Test files run concurrently, so tests should query unique names (a random
 * label under `fleet.test`) and pass that name as `suffix` everywhere.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleAsync } from './dns-http';
import { type LoopbackServer, listenHttp } from './loopback-listener';
import type { RequestLog } from './request-log';
import {
  FLEET_FAILURES,
  type FleetFailure,
  UnknownUpstreamError,
  type UpstreamFleet,
} from './upstream-fleet';

/** Longest delay a test may set: longer than any fan-out deadline, short enough to end a run. */
const MAX_DELAY_MS = 60_000;

export async function startControlServer(
  log: RequestLog,
  fleet: UpstreamFleet,
): Promise<LoopbackServer> {
  return listenHttp((request, response) => {
    handleAsync(response, async () => {
      const url = new URL(request.url ?? '/', 'http://loopback');
      const suffix = url.searchParams.get('suffix') ?? undefined;
      const route = `${request.method} ${url.pathname}`;
      try {
        switch (route) {
          case 'GET /stats':
            return sendJson(response, 200, log.stats(suffix));
          case 'GET /fleet':
            return sendJson(response, 200, { upstreams: fleet.upstreams });
          case 'POST /reset':
            log.reset(suffix);
            fleet.resetOverrides(suffix);
            return sendJson(response, 200, { ok: true });
          case 'POST /delay': {
            const body = await readJson(request);
            const delayMs = body.delayMs;
            if (typeof delayMs !== 'number' || !(delayMs >= 0 && delayMs <= MAX_DELAY_MS)) {
              return sendJson(response, 400, { error: `delayMs must be 0..${MAX_DELAY_MS}` });
            }
            fleet.setDelay(
              requireString(body, 'upstream'),
              delayMs,
              optionalString(body, 'suffix'),
            );
            return sendJson(response, 200, { ok: true });
          }
          case 'POST /fail': {
            const body = await readJson(request);
            const failure = FLEET_FAILURES.find((f): f is FleetFailure => f === body.failure);
            if (failure === undefined) {
              return sendJson(response, 400, {
                error: `failure must be ${FLEET_FAILURES.join('|')}`,
              });
            }
            fleet.setFailure(
              requireString(body, 'upstream'),
              failure,
              optionalString(body, 'suffix'),
            );
            return sendJson(response, 200, { ok: true });
          }
          default:
            return sendJson(response, 404, { error: `no route ${route}` });
        }
      } catch (error) {
        if (error instanceof UnknownUpstreamError) {
          return sendJson(response, 404, { error: error.message });
        }
        if (error instanceof BadRequestError || error instanceof SyntaxError) {
          return sendJson(response, 400, { error: error.message });
        }
        throw error;
      }
    });
  });
}

class BadRequestError extends Error {}

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  if (typeof value !== 'object' || value === null)
    throw new BadRequestError('body must be an object');
  return value as Record<string, unknown>;
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string') throw new BadRequestError(`${key} must be a string`);
  return value;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  return body[key] === undefined ? undefined : requireString(body, key);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}
