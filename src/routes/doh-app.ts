/**
 * The resolver's public face, mounted twice by app.ts: at `/` (tenant from
 * the Host) and at `/t/:tenant` (tenant from the path). Everything here runs
 * per tenant: CORS, Server-Timing, tenant resolution, rate limit, then the
 * DoH and JSON routes.
 */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { timing } from 'hono/timing';
import type { AppEnv } from '../app-env';
import { rateLimit, tenantContext } from '../tenants/tenant-context';
import { dnsQueryRoutes } from './dns-query';
import { phaseMetrics } from './phase-metrics';
import { resolveRoutes } from './resolve';

/** One day: browsers may reuse the CORS preflight; the policy never varies per request. */
const CORS_MAX_AGE_S = 86_400;

const RESOLVER_PATHS = ['/dns-query', '/resolve'] as const;

export const dohApp = new Hono<AppEnv>();

for (const path of RESOLVER_PATHS) {
  dohApp.use(
    path,
    cors({
      origin: '*',
      allowMethods: ['GET', 'POST', 'HEAD', 'OPTIONS'],
      allowHeaders: ['content-type', 'accept'],
      exposeHeaders: ['server-timing', 'content-length'],
      maxAge: CORS_MAX_AGE_S,
    }),
    // Server-Timing on every DoH response (docs/operations.md §5); `total` is the whole request.
    timing({ crossOrigin: true }),
    // …and each phase of the worker's own path (observability/phase-timing.ts).
    phaseMetrics(),
    tenantContext(),
    rateLimit(),
  );
}

dohApp.route('/', dnsQueryRoutes);
dohApp.route('/', resolveRoutes);
