/**
 * The one place where a parsed query becomes an HTTP response, shared by the
 * DoH and JSON routes so both answer identically: the final DNS message is
 * always built in wire format first and the JSON form is decoded from it.
 */
import type { Context } from 'hono';
import { setMetric } from 'hono/timing';
import type { AppEnv } from '../app-env';
import { type DnsMessage, decodeMessage, headerRcode } from '../dns/codec';
import { EDE } from '../dns/extended-errors';
import { type DnsJsonResponse, parseJsonQuery, toJsonResponse } from '../dns/json-api';
import { localAnswer } from '../dns/local-answer';
import type { DnsQuery, QueryParseResult } from '../dns/query-parser';
import { rcodeName } from '../dns/rcodes';
import { buildClientResponse, buildErrorResponse } from '../dns/responses';
import { loadConfig } from '../env';
import { HttpError, JsonApiError } from '../errors';
import { roundedDurations } from '../observability/phase-timing';
import { recordQuery } from '../observability/query-record';
import { isolateMetrics } from '../resolver/isolate-resolver';
import type { CacheStatus, FanoutShare, Resolution } from '../resolver/resolver';
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
    case 'local': {
      const startedAt = performance.now();
      setMetric(c, 'cache', 'local');
      isolateMetrics.countQuery(c.get('tenant').id, 'local');
      const message = decodeMessage(parsed.response);
      account(c, message.questions?.[0], message, 'local', startedAt, null, NO_FANOUT);
      return send(c, parsed.response, format, responseTtl(message));
    }
    case 'query':
      return answerQuery(c, parsed.query, format);
  }
}

/** Answers a JSON API request (`name`, `type`, `cd`, `do` parameters). */
export async function answerJsonParams(c: AppContext, params: URLSearchParams): Promise<Response> {
  const parsed = c.get('phases').time('parse', () => parseJsonQuery(params));
  if (!parsed.ok) throw new JsonApiError(400, parsed.error);
  // The wire path answers ANY in parseWireQuery; JSON queries get the same RFC 8482 answer here.
  const startedAt = performance.now();
  const local = localAnswer(parsed.query);
  if (local) {
    setMetric(c, 'cache', 'local');
    isolateMetrics.countQuery(c.get('tenant').id, 'local');
    account(c, parsed.query, local, 'local', startedAt, null, NO_FANOUT);
    return sendJson(c, toJsonResponse(parsed.query, local), responseTtl(local));
  }
  return answerQuery(c, parsed.query, 'json');
}

async function answerQuery(c: AppContext, query: DnsQuery, format: ResponseFormat) {
  const startedAt = performance.now();
  const phases = c.get('phases');
  const resolution = await resolveOrServfail(c, query);
  setMetric(c, 'cache', resolution.cacheStatus);
  isolateMetrics.countQuery(c.get('tenant').id, resolution.cacheStatus);
  if (resolution.winner) {
    // The winner's own exchange; `upstream` (phase-metrics.ts) is how long this request waited for it.
    setMetric(c, 'exchange', resolution.winner.durationMs, resolution.winner.name);
    phases.describe('upstream', resolution.winner.name);
  }
  const { response, extendedErrors } = resolution;
  const endEncode = phases.start('encode');
  const bytes = response
    ? buildClientResponse(query, response, { extendedErrors })
    : buildErrorResponse(query, 'SERVFAIL', extendedErrors);
  const ttl = response ? responseTtl(response) : FAILURE_TTL;
  const sent =
    format === 'wire'
      ? sendWire(c, bytes, ttl)
      : // JSON has no OPT record: the extended errors travel in `Comment`.
        sendJson(c, toJsonResponse(query, decodeMessage(bytes), { extendedErrors }), ttl);
  endEncode();
  phases.finish();
  account(
    c,
    query,
    response,
    resolution.cacheStatus,
    startedAt,
    resolution.winner?.name ?? null,
    resolution.fanout,
  );
  return sent;
}

/**
 * A client that asked a DNS question gets a DNS answer (RFC 8914 §4.1), also when
 * something inside broke: SERVFAIL with EDE 0 (Other) and a generic text.
 * The details go to the log for the operator, never to the anonymous client.
 */
async function resolveOrServfail(c: AppContext, query: DnsQuery): Promise<Resolution> {
  const ctx = c.executionCtx;
  try {
    return await c.get('tenant').resolver.resolve(query, {
      ip: c.req.header('cf-connecting-ip'),
      // A closure over ctx: waitUntil is a method and must keep its receiver.
      waitUntil: (work) => ctx.waitUntil(work),
      phases: c.get('phases'),
    });
  } catch (error) {
    console.error(
      JSON.stringify({
        event: 'internal-error',
        tenant: c.get('tenant').id,
        name: query.name,
        type: query.type,
        error: String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
    );
    return {
      response: null,
      extendedErrors: [{ code: EDE.OtherError, text: 'internal error' }],
      cacheStatus: 'miss',
      winner: null,
      fanout: Promise.resolve({ kind: 'none' }),
    };
  }
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

const NO_FANOUT: Promise<FanoutShare> = Promise.resolve({ kind: 'none' });

/**
 * Logs the query and writes its fleet points once its fan-out (if it started
 * one) is done: after the response, so under `waitUntil`.
 */
function account(
  c: AppContext,
  question: { readonly name: string; readonly type: string } | undefined,
  response: DnsMessage | null,
  cache: CacheStatus,
  startedAt: number,
  winner: string | null,
  fanout: Promise<FanoutShare>,
): void {
  const answered = {
    tenant: c.get('tenant').id,
    name: question?.name ?? '',
    type: question?.type ?? '',
    cache,
    rcode: rcodeName(response ? headerRcode(response) : SERVFAIL),
    latencyMs: Math.round(performance.now() - startedAt),
    winner,
    phases: roundedDurations(c.get('phases').durations()),
  };
  const sinks = {
    dataset: c.env.FLEET_METRICS,
    hitLogSampleRate: loadConfig(c.env).hitLogSampleRate,
    random: Math.random,
    log: (line: string) => console.log(line),
  };
  c.executionCtx.waitUntil(fanout.then((share) => recordQuery(sinks, answered, share)));
}

/** RCODE 2 (RFC 1035 §4.1.1): what the client gets when every upstream failed. */
const SERVFAIL = 2;
