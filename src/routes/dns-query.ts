/**
 * RFC 8484 DoH endpoint: GET with `?dns=<base64url>`, POST with an
 * `application/dns-message` body, HEAD and OPTIONS (CORS). With
 * `Accept: application/dns-json` the same path serves the JSON API.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppEnv } from '../app-env';
import { parseWireQuery } from '../dns/query-parser';
import { HttpError } from '../errors';
import { decodeBase64Url } from './base64url';
import { DNS_MESSAGE, negotiateFormat } from './content-negotiation';
import { answerJsonParams, answerParsedQuery } from './respond';

/** RFC 8484 §6 / docs/architecture.md §7: a DNS message is at most 65535 bytes (its TCP length prefix). */
export const MAX_DNS_MESSAGE_BYTES = 65_535;
/** The base64url form of the largest message: 4 characters per 3 bytes, unpadded. */
const MAX_DNS_PARAM_CHARS = Math.ceil((MAX_DNS_MESSAGE_BYTES * 4) / 3);

export const dnsQueryRoutes = new Hono<AppEnv>()
  .get('/dns-query', async (c) => {
    const format = negotiateFormat(c.req.header('accept'), ['wire', 'json']);
    const dns = c.req.query('dns');
    if (dns === undefined && format === 'json' && c.req.query('name') !== undefined) {
      return answerJsonParams(c, new URL(c.req.url).searchParams);
    }
    if (dns === undefined || dns === '') throw new HttpError(400, 'missing dns parameter');
    if (dns.length > MAX_DNS_PARAM_CHARS) throw new HttpError(413, 'dns parameter too large');
    const parsed = c.get('phases').time('parse', () => parseWireQuery(decodeBase64Url(dns)));
    return answerParsedQuery(c, parsed, format);
  })
  .post(
    '/dns-query',
    bodyLimit({
      maxSize: MAX_DNS_MESSAGE_BYTES,
      onError: () => {
        throw new HttpError(413, `body larger than ${MAX_DNS_MESSAGE_BYTES} bytes`);
      },
    }),
    async (c) => {
      const format = negotiateFormat(c.req.header('accept'), ['wire', 'json']);
      const contentType = (c.req.header('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (contentType !== DNS_MESSAGE) {
        throw new HttpError(415, `content-type must be ${DNS_MESSAGE}`);
      }
      const body = new Uint8Array(await c.req.arrayBuffer());
      if (body.length === 0) throw new HttpError(400, 'empty body');
      return answerParsedQuery(
        c,
        c.get('phases').time('parse', () => parseWireQuery(body)),
        format,
      );
    },
  );
