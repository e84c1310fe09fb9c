/**
 * The Hono application: mounts the route groups and owns the two places where
 * errors become responses (`onError`, `notFound`).
 */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { methodNotAllowed } from 'hono/method-not-allowed';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './app-env';
import { consoleRoutes } from './console/console-routes';
import { HttpError } from './errors';
import { adminRoutes } from './routes/admin';
import { dohApp } from './routes/doh-app';
import { healthRoutes } from './routes/health';

export const app = new Hono<AppEnv>();

app.use(methodNotAllowed({ app }));
app.use(secureHeaders());

app.route('/', healthRoutes);
// The console first: its pages answer before the API's bearer check sees them.
// Mounted at the root: its paths are all under /admin, `/admin/` itself included.
app.route(
  '/',
  consoleRoutes((request, env, ctx) => app.fetch(request, env, ctx)),
);
app.route('/admin', adminRoutes);
app.route('/', dohApp);
app.route('/t/:tenant', dohApp);

app.notFound(() => new HttpError(404, 'not found').toResponse());

app.onError((error) => {
  if (error instanceof HttpError) return error.toResponse();
  if (error instanceof HTTPException) return error.getResponse();
  console.error(JSON.stringify({ event: 'unhandled-error', error: String(error) }));
  return new HttpError(500, 'internal error').toResponse();
});
