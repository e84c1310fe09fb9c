/**
 * The cache-hit baseline: a bare Hono worker that answers every DoH GET with
 * one fixed DNS message, no parsing, no cache, no logging. The bench runs it
 * beside the resolver with the same load tool and settings; the resolver's
 * cache-hit throughput is reported as a share of this one.
 */
import { Hono } from 'hono';

/**
 * `cached.bench.test. 600 IN A 198.51.100.1` … `.6`, QR/RD/RA set, ID 0
 * (RFC 8484 §4.1): the same shape and size (233 bytes) as the resolver's
 * cached answer in the bench, encoded once with `src/dns/codec.ts`.
 */
const ANSWER_BASE64 =
  'AACBgAABAAYAAAAABmNhY2hlZAViZW5jaAR0ZXN0AAABAAEGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAEGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAIGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAMGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAQGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAUGY2FjaGVkBWJlbmNoBHRlc3QAAAEAAQAAAlgABMYzZAY=';
const ANSWER = Uint8Array.from(atob(ANSWER_BASE64), (c) => c.charCodeAt(0));
/** The TTL of the records above, as the resolver would send it (RFC 8484 §5.1). */
const MAX_AGE = 600;

const app = new Hono();

app.get('/dns-query', (c) =>
  c.body(new Uint8Array(ANSWER), 200, {
    'content-type': 'application/dns-message',
    'cache-control': `max-age=${MAX_AGE}`,
  }),
);
app.get('/health', (c) => c.text('ok'));

export default app;
