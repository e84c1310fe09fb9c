/**
 * JSON API in the Google/Cloudflare shape: `GET /resolve?name=…&type=…`.
 * @see https://developers.google.com/speed/public-dns/docs/doh/json
 */
import { Hono } from 'hono';
import type { AppEnv } from '../app-env';
import { negotiateFormat } from './content-negotiation';
import { answerJsonParams } from './respond';

export const resolveRoutes = new Hono<AppEnv>().get('/resolve', (c) => {
  // Only for the 406 check: this route answers JSON and nothing else.
  negotiateFormat(c.req.header('accept'), ['json']);
  return answerJsonParams(c, new URL(c.req.url).searchParams);
});
