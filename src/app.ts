/**
 * The Hono application: mounts the route groups and owns the two places where
 * errors become responses (`onError`, `notFound`).
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { secureHeaders } from 'hono/secure-headers';
import { timing } from 'hono/timing';
import type { AppEnv } from './app-env';
import { HttpError } from './errors';
import { dnsQueryRoutes } from './routes/dns-query';
import { healthRoutes } from './routes/health';
import { resolveRoutes } from './routes/resolve';

/** One day: browsers may reuse the CORS preflight; the policy never varies per request. */
const CORS_MAX_AGE_S = 86_400;

export const app = new Hono<AppEnv>();

app.use(methodNotAllowed({ app }));
app.use(secureHeaders());
app.use(
  '/dns-query',
  cors({
    origin: '*',
    allowMethods: ['GET', 'POST', 'HEAD', 'OPTIONS'],
    allowHeaders: ['content-type', 'accept'],
    exposeHeaders: ['server-timing', 'content-length'],
    maxAge: CORS_MAX_AGE_S,
  }),
);
app.use('/resolve', cors({ origin: '*', allowMethods: ['GET', 'HEAD', 'OPTIONS'] }));
// Server-Timing on every DoH response (SPEC §10); `total` is the whole request.
app.use('/dns-query', timing({ crossOrigin: true }));
app.use('/resolve', timing({ crossOrigin: true }));

app.route('/', dnsQueryRoutes);
app.route('/', resolveRoutes);
app.route('/', healthRoutes);

app.notFound(() => new HttpError(404, 'not found').toResponse());

app.onError((error) => {
  if (error instanceof HttpError) return error.toResponse();
  if (error instanceof HTTPException) return error.getResponse();
  console.error(JSON.stringify({ event: 'unhandled-error', error: String(error) }));
  return new HttpError(500, 'internal error').toResponse();
});
