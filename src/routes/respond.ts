/**
 * The one place where a parsed query becomes an HTTP response, shared by the
 * DoH and JSON routes so both answer identically: the final DNS message is
 * always built in wire format first and the JSON form is decoded from it.
 */
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from '../app-env';
import { decodeMessage } from '../dns/codec';
import { type DnsJsonResponse, parseJsonQuery, toJsonResponse } from '../dns/json-api';
import { localAnswer } from '../dns/local-answer';
import type { DnsQuery, QueryParseResult } from '../dns/query-parser';
import { buildClientResponse, buildErrorResponse } from '../dns/responses';
import { HttpError, JsonApiError } from '../errors';
import { isolateMetrics } from '../resolver/isolate-resolver';
import { FAILURE_TTL, responseTtl } from '../resolver/response-ttl';
import { DNS_JSON, DNS_MESSAGE, type ResponseFormat } from './content-negotiation';

type AppContext = Context<AppEnv>;

/** Answers the result of parseWireQuery in the negotiated format. */
export async function answerParsedQuery(
  c: AppContext,
  parsed: QueryParseResult,
  format: ResponseFormat,
): Promise<Response> {
  switch (parsed.kind) {
    case 'reject':
      throw new HttpError(parsed.status, parsed.reason);
    case 'local':
      setMetric(c, 'cache', 'local');
      isolateMetrics.countQuery(c.get('tenant').id, 'local');
      return send(c, parsed.response, format, responseTtlOf(parsed.response));
    case 'query':
      return answerQuery(c, parsed.query, format);
  }
}

/** Answers a JSON API request (`name`, `type`, `cd`, `do` parameters). */
export async function answerJsonParams(c: AppContext, params: URLSearchParams): Promise<Response> {
  const parsed = parseJsonQuery(params);
  if (!parsed.ok) throw new JsonApiError(400, parsed.error);
  // The wire path answers ANY in parseWireQuery; JSON queries get the same RFC 8482 answer here.
  const local = localAnswer(parsed.query);
  if (local) {
    setMetric(c, 'cache', 'local');
    isolateMetrics.countQuery(c.get('tenant').id, 'local');
    return sendJson(c, toJsonResponse(parsed.query, local), responseTtl(local));
  }
  return answerQuery(c, parsed.query, 'json');
}

async function answerQuery(c: AppContext, query: DnsQuery, format: ResponseFormat) {
  const ctx = c.executionCtx;
  const resolution = await c.get('tenant').resolver.resolve(query, {
    ip: c.req.header('cf-connecting-ip'),
    // A closure over ctx: waitUntil is a method and must keep its receiver.
    waitUntil: (work) => ctx.waitUntil(work),
  });
  setMetric(c, 'cache', resolution.cacheStatus);
  isolateMetrics.countQuery(c.get('tenant').id, resolution.cacheStatus);
  if (resolution.winner) {
    setMetric(c, 'upstream', resolution.winner.durationMs, resolution.winner.name);
  }
  const { response, extendedErrors } = resolution;
  const bytes = response
    ? buildClientResponse(query, response, { extendedErrors })
    : buildErrorResponse(query, 'SERVFAIL', extendedErrors);
  const ttl = response ? responseTtl(response) : FAILURE_TTL;
  if (format === 'wire') return sendWire(c, bytes, ttl);
  // JSON has no OPT record: the extended errors travel in `Comment`.
  return sendJson(c, toJsonResponse(query, decodeMessage(bytes), { extendedErrors }), ttl);
}

function send(c: AppContext, bytes: Uint8Array, format: ResponseFormat, ttl: number): Response {
  if (format === 'wire') return sendWire(c, bytes, ttl);
  return sendJson(c, toJsonResponse(decodeMessage(bytes)), ttl);
}

function sendWire(c: AppContext, bytes: Uint8Array, ttl: number): Response {
  // Copy into a plain ArrayBuffer-backed view, the only kind Response bodies are typed for.
  return c.body(new Uint8Array(bytes), 200, {
    'content-type': DNS_MESSAGE,
    'cache-control': `max-age=${ttl}`,
  });
}

function sendJson(c: AppContext, body: DnsJsonResponse, ttl: number): Response {
  return c.body(JSON.stringify(body), 200, {
    'content-type': `${DNS_JSON}; charset=utf-8`,
    'cache-control': `max-age=${ttl}`,
  });
}

function responseTtlOf(bytes: Uint8Array): number {
  return responseTtl(decodeMessage(bytes));
}
